# DARS round k >= 1 with DeepLab-v2 (ResNet-101, mmssl DeepLabV2Head: the
# ASPP classifier, no auxiliary head), Cityscapes 1/8 (table 2). The paper
# gives its general setting (sec. 4.1) and "follow[s] the setting of
# previous works" for this model; its schedule is the authors' code:
# config/cityscapes/train_deeplabv2_cityscapes_split8_crop361_round{1,2}
# .yaml: crop 361, scale 0.25-1.0 in both rounds (no widening: beta 0),
# base_lr 0.002, 4 labeled + 4 pseudo-labeled images per batch on 2 GPUs
# (train_gpu [0,1], batch_size 4, unlabelled_batch_size 4), aux_weight 0,
# 200 epochs per round, base_size 1024, test 361; gen_pseudo_label_
# deeplabv2_cityscapes_split8_crop361_for_round{1,2}.yaml: labeling_ratio
# 0.2, 0.45. 200 epochs of the 2603 unlabeled images at 4 per batch:
# 200 * 2603 / 4 = 130,150 iterations per round.
# 10x lr: the authors' tool/train.py sets base_lr for the 6 modules of
# pretrained_layers() (conv1, bn1, layer1-4; model/deeplabv2.py) and 10x for
# new_layers() (layer5, the classifier), but tool/train_func.py lines
# 162-165 then set groups >= index_split = 5 (tool/train.py line 202) to 10x
# at every iteration: layer4 and the classifier train at 10x.
_base_ = ['./dars_pspnet_r50-d8_4xb4-explicit-65k_cityscapes-1-8-361x361.py']
norm_cfg = dict(type='SyncBN', requires_grad=False)
model = dict(
    _delete_=True,
    type='SelfTrainingEncoderDecoder',
    data_preprocessor=dict(
        type='SegDataPreProcessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255,
        size=_base_.crop_size),
    pretrained='open-mmlab://resnet101_v1c',
    backbone=dict(
        type='ResNetV1c',
        depth=101,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        dilations=(1, 1, 2, 4),
        strides=(1, 2, 1, 1),
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        contract_dilation=True),
    decode_head=dict(
        type='DeepLabV2Head',
        in_channels=2048,
        in_index=3,
        dilations=(6, 12, 18, 24),
        num_classes=19,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0,
            avg_non_ignore=True)),
    train_cfg=dict(),
    test_cfg=dict(mode='slide', crop_size=_base_.crop_size,
                  stride=(241, 241), flip=True))
optimizer = dict(type='SGD', lr=0.002, momentum=0.9, weight_decay=0.0001)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=optimizer,
    clip_grad=None,
    paramwise_cfg=dict(
        _delete_=True,
        custom_keys={
            'backbone.layer4': dict(lr_mult=10.0),
            'decode_head': dict(lr_mult=10.0)
        }))
max_iters = 130150
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters))
dars = dict(
    round0_config='./deeplabv2_r101-d8_2xb8-33k_cityscapes-1-8-361x361.py',
    rounds=[
        dict(alpha=0.2, beta_min=0.0, beta_max=0.0),
        dict(alpha=0.45, beta_min=0.0, beta_max=0.0),
    ])

# DARS round k >= 1 with DeepLab-v2 (ResNet-101, mmssl DeepLabV2Head: the
# ASPP classifier, no auxiliary head), Cityscapes 1/8 (table 2). The paper
# gives no crop for this model: we use the main results' 713 (a choice).
# 200 * 2603 / 8 = 65,075 iterations per round.
_base_ = ['./dars_pspnet_r50-d8_4xb4-explicit-65k_cityscapes-1-8-713x713.py']
norm_cfg = dict(type='SyncBN', requires_grad=False)
model = dict(
    _delete_=True,
    type='EncoderDecoder',
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
                  stride=(476, 476)))
dars = dict(
    round0_config='./deeplabv2_r101-d8_4xb4-65k_cityscapes-1-8-713x713.py')

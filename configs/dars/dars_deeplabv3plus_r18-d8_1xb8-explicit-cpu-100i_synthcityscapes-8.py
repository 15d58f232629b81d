# CPU demo of DARS rounds on the generated Cityscapes-format data
# (tools/gen_datasets.py; 8 labeled images, tools/make_splits.py
# --num-labeled 8): round 0 is the supervised warm-up demo config (300
# iterations of 4 labeled images, DeepLabv3+ ResNetV1c-18, 128x128 crops);
# each round k >= 1 trains 100 iterations of 4 labeled + 4 pseudo-labeled
# images from round k-1's weights and AdamW state, AdamW lr 1e-3 (the
# stage-2 demo's) on the poly schedule continued as the authors' (round k
# starts at 1e-3 * (k+1)^-0.9), eq. 2's loss per part, DARS pseudo-labels
# (flip-averaged logits) and the table-6 alpha / beta schedule. Not a paper
# setting: scale range 0.5-2.0, whole-image test at full size and no test
# flip, as the warm-up it starts from; no 10x head lr (the warm-up's
# optimizer has one param group, whose state round 1 resumes).
#   python tools/dars_rounds.py THIS_CONFIG --work-dir work_dirs/dars_demo
_base_ = ['../_base_/dars/pspnet_cityscapes.py']
data_root = 'data/synthetic/cityscapes/'
crop_size = (128, 128)
img_scale = (256, 128)
scale_range = (0.5, 2.0)
regime = '8'
labeled_split = f'splits/{regime}/split0/labeled.txt'
unlabeled_split = f'splits/{regime}/split0/unlabeled.txt'
max_iters = 100
train_aug = [
    dict(type='RandomResize', scale=img_scale,
         ratio_range=scale_range, keep_ratio=True)
] + _base_.train_aug_before_crop[1:] + [
    dict(type='RandomCrop', crop_size=crop_size), _base_.pack
]
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(batch_size=8, num_labeled=4),
    dataset=dict(
        labeled=dict(
            data_root=data_root,
            ann_file=labeled_split,
            pipeline=_base_.labeled_loading + train_aug),
        unlabeled=dict(
            data_root=data_root,
            ann_file=unlabeled_split,
            pipeline=_base_.labeled_loading + train_aug +
            _base_.mark_pseudo)))
test_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations', num_classes=19),
    dict(type='PackSegInputs'),
]
val_dataloader = dict(
    num_workers=1,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
pseudo_label_cfg = dict(
    labeled=dict(data_root=data_root, ann_file=labeled_split),
    unlabeled=dict(data_root=data_root, ann_file=unlabeled_split),
    num_chunks=8)
# the demo model: the warm-up config's DeepLabv3+ R18 (weights from round 0)
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
        size=crop_size),
    pretrained=None,
    backbone=dict(
        type='ResNetV1c', depth=18, num_stages=4, out_indices=(0, 1, 2, 3),
        dilations=(1, 1, 2, 4), strides=(1, 2, 1, 1),
        norm_cfg=dict(type='SyncBN', requires_grad=True), norm_eval=False,
        style='pytorch', contract_dilation=True),
    decode_head=dict(
        type='DepthwiseSeparableASPPHead', in_channels=512, in_index=3,
        channels=128, dilations=(1, 12, 24, 36), c1_in_channels=64,
        c1_channels=48, dropout_ratio=0.1, num_classes=19,
        norm_cfg=dict(type='SyncBN', requires_grad=True),
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False,
                         loss_weight=1.0, avg_non_ignore=True)),
    auxiliary_head=dict(
        type='FCNHead', in_channels=256, in_index=2, channels=64,
        num_convs=1, concat_input=False, dropout_ratio=0.1, num_classes=19,
        norm_cfg=dict(type='SyncBN', requires_grad=True),
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False,
                         loss_weight=0.4, avg_non_ignore=True)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4))
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(
    logger=dict(interval=25), checkpoint=dict(interval=max_iters))
env_cfg = dict(cudnn_benchmark=False)
randomness = dict(seed=0)
dars = dict(
    round0_config='../demo/deeplabv3plus_r18-d8_1xb4-cpu-300i_synthcityscapes-8.py',
    scale_range=scale_range)

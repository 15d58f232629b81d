# Multi-task network of the multi-task paper (sec. 4): one ResNet-50, a
# DeepLabv3+ segmentation head (mmseg DepthwiseSeparableASPPHead) and an FPN
# + RetinaNet detection head (mmdet; focal loss + GIoU loss), each head a
# config dict of the stock mmseg / mmdet head, so any mmseg decode head or
# mmdet one-stage dense head can replace it (set one to None for a
# single-task model). mmdet parts carry the `mmdet.` prefix; MultiTaskSegDet
# builds them in the mmdet scope.
#
# Choices where the paper is silent:
# - backbone: ResNetV1c-50 WITHOUT dilation (output stride 32), as RetinaNet
#   needs C3-C5 at strides 8 / 16 / 32; ImageNet weights of mmseg's
#   DeepLabv3+ (open-mmlab://resnet50_v1c); trainable (Sync)BN as in mmseg's
#   DeepLabv3+ (the EMA teacher averages BN statistics too);
# - DeepLabv3+ ASPP on C5 (stride 32) with dilations (1, 3, 6, 9): the
#   DeepLab rates (6, 12, 18) at output stride 16, halved for stride 32;
#   low-level features from C2 (stride 4);
# - RetinaNet as mmdet's retinanet_r50_fpn with GIoU on decoded boxes
#   (reg_decoded_bbox, loss weight 2.0 as mmdet's ATSS / GFL configs).
norm_cfg = dict(type='SyncBN', requires_grad=True)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size=(800, 800),  # pad training batches to the crop size (h, w)
    test_cfg=dict(size_divisor=32))  # full-resolution evaluation
model = dict(
    type='MultiTaskSegDet',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='ResNetV1c',
        depth=50,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        strides=(1, 2, 2, 2),
        dilations=(1, 1, 1, 1),
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        contract_dilation=True,
        init_cfg=dict(
            type='Pretrained', checkpoint='open-mmlab://resnet50_v1c')),
    decode_head=dict(
        type='DepthwiseSeparableASPPHead',
        in_channels=2048,
        in_index=3,
        channels=512,
        dilations=(1, 3, 6, 9),
        c1_in_channels=256,
        c1_channels=48,
        dropout_ratio=0.1,
        num_classes=19,  # Cityscapes / BDD100K classes
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss',
            use_sigmoid=False,
            loss_weight=1.0,
            avg_non_ignore=True)),
    neck=dict(
        type='mmdet.FPN',
        in_channels=[256, 512, 1024, 2048],
        out_channels=256,
        start_level=1,
        add_extra_convs='on_input',
        num_outs=5),
    bbox_head=dict(
        type='mmdet.RetinaHead',
        num_classes=8,  # Cityscapes things (BDD100K: 10)
        in_channels=256,
        stacked_convs=4,
        feat_channels=256,
        anchor_generator=dict(
            type='AnchorGenerator',
            octave_base_scale=4,
            scales_per_octave=3,
            ratios=[0.5, 1.0, 2.0],
            strides=[8, 16, 32, 64, 128]),
        bbox_coder=dict(
            type='DeltaXYWHBBoxCoder',
            target_means=[.0, .0, .0, .0],
            target_stds=[1.0, 1.0, 1.0, 1.0]),
        reg_decoded_bbox=True,
        loss_cls=dict(
            type='FocalLoss',
            use_sigmoid=True,
            gamma=2.0,
            alpha=0.25,
            loss_weight=1.0),
        loss_bbox=dict(type='GIoULoss', loss_weight=2.0)),
    train_cfg=dict(
        det=dict(
            assigner=dict(
                type='MaxIoUAssigner',
                pos_iou_thr=0.5,
                neg_iou_thr=0.4,
                min_pos_iou=0,
                ignore_iof_thr=-1),
            sampler=dict(type='PseudoSampler'),
            allowed_border=-1,
            pos_weight=-1,
            debug=False)),
    test_cfg=dict(
        det=dict(
            nms_pre=1000,
            min_bbox_size=0,
            score_thr=0.05,
            nms=dict(type='nms', iou_threshold=0.5),
            max_per_img=100)),
    task_weights=dict(seg=1.0, det=1.0))  # gamma_t (table 10)

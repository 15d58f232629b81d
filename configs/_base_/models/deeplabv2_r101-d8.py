# DeepLab-v2 (Chen et al., TPAMI 2018) as in ClassMix and French et al.: the
# ASPP classifier (mmssl DeepLabV2Head: sum of four 3x3 classifiers, dilations
# 6/12/18/24) on a ResNet-101 of output stride 8 (strides 1,2,1,1, dilations
# 1,1,2,4). Differences from the papers, stated: mmseg's ResNetV1c (deep 3x3
# stem) with its ImageNet weights 'open-mmlab://resnet101_v1c' instead of the
# torchvision / Caffe ResNet-101 (ImageNet; ClassMix also MSCOCO-pretrained,
# not available here). BN: the papers' DeepLab-v2 code (Hung et al.) freezes
# the BN affine parameters (requires_grad=False) and keeps the running
# statistics updating (ClassMix, synchronised); French et al. also freeze the
# statistics (norm_eval=True in their configs). Cross-entropy averaged over
# valid pixels (avg_non_ignore=True), as the papers.
norm_cfg = dict(type='SyncBN', requires_grad=False)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
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
            type='CrossEntropyLoss',
            use_sigmoid=False,
            loss_weight=1.0,
            avg_non_ignore=True)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

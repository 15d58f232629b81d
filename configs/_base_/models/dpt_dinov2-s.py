# UniMatch V2's segmentation model (Yang et al., TPAMI 2025,
# arXiv:2410.10777; LiheYoung/UniMatch-V2) as an mmseg EncoderDecoder:
# a DINOv2 ViT-S/14 encoder (mmseg's VisionTransformer + DINOv2 layer scale,
# mmssl DINOv2VisionTransformer) and mmseg's DPTHead. Settings from the
# official code:
#   model/backbone/dinov2.py DINOv2(): img_size 518, patch 14, init_values
#     1.0, mlp FFN, no registers, interpolate_offset 0.1, no antialias,
#     LayerNorm eps 1e-6, drop path 0;
#   model/semseg/dpt.py: intermediate_layer_idx small/base [2, 5, 8, 11],
#     large [4, 11, 17, 23]; features read with norm=True and without the
#     class token (readout 'ignore'); use_bn=False (norm_cfg None); no
#     dropout before the classifier; logits resized with align_corners=True;
#   unimatch_v2.py model_configs: small features 64, out_channels
#     [48, 96, 192, 384]; base 128, [96, 192, 384, 768]; large 256,
#     [256, 512, 1024, 1024].
# Differences of mmseg's DPTHead from the official head: docs/unimatch_v2.md.
#
# Weights: download the official dinov2_vits14_pretrain.pth and convert it
#   python tools/model_converters/dinov2_to_mmssl.py \
#       pretrained/dinov2_vits14_pretrain.pth \
#       pretrained/dinov2_vits14_mmssl.pth
# (the encoder also reads the official file directly; loading is strict).
# num_classes: 21 (Pascal VOC); dataset configs override it.
data_preprocessor = dict(
    type='SegDataPreProcessor',
    # ImageNet statistics, RGB (UniMatch V2 dataset/transform.py normalize)
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    # the encoder needs multiples of the patch size (518 = 37 x 14)
    size_divisor=14)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    pretrained=None,
    backbone=dict(
        type='DINOv2VisionTransformer',
        img_size=518,
        patch_size=14,
        embed_dims=384,
        num_layers=12,
        num_heads=6,
        mlp_ratio=4,
        out_indices=(2, 5, 8, 11),
        qkv_bias=True,
        drop_path_rate=0.0,
        layer_scale_init_value=1.0,
        norm_outputs=True,
        interpolate_offset=0.1,
        interpolate_antialias=False,
        norm_cfg=dict(type='LN', eps=1e-6),
        act_cfg=dict(type='GELU'),
        # frozen_exclude=[] freezes the encoder (official lock_backbone)
        frozen_exclude=['all'],
        init_cfg=dict(
            type='Pretrained',
            checkpoint='pretrained/dinov2_vits14_mmssl.pth')),
    decode_head=dict(
        type='DPTHead',
        in_channels=(384, 384, 384, 384),
        in_index=(0, 1, 2, 3),
        input_transform='multiple_select',
        embed_dims=384,
        channels=64,  # official `features`
        post_process_channels=[48, 96, 192, 384],  # official `out_channels`
        readout_type='ignore',
        patch_size=14,
        expand_channels=False,
        act_cfg=dict(type='ReLU'),
        norm_cfg=None,  # official use_bn=False
        dropout_ratio=0.0,
        num_classes=21,
        align_corners=True,
        loss_decode=dict(
            type='CrossEntropyLoss',
            use_sigmoid=False,
            loss_weight=1.0,
            avg_non_ignore=True)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

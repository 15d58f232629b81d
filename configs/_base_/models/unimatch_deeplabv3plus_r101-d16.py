# UniMatch (V1) around mmseg's DeepLabv3+ on ResNetV1c-101 with the official
# UniMatch model's settings (LiheYoung/UniMatch, configs/pascal.yaml and
# configs/cityscapes.yaml, model/semseg/deeplabv3plus.py):
# - "replace_stride_with_dilation: [False, False, True]": output stride 16,
#   only layer4 dilated -> strides (1, 2, 2, 1), dilations (1, 1, 1, 2);
# - "dilations: [6, 12, 18]" for the ASPP (plus mmseg's 1x1 branch, 1);
# - ASPP / decoder width 256 (high_channels // 8 = 2048 // 8), low-level
#   reduction to 48 channels, bilinear upsampling with align_corners=True;
# - no dropout before the classifier and no auxiliary head (their
#   DeepLabV3Plus has neither);
# - the criteria average over the non-ignored pixels (nn.CrossEntropyLoss
#   with ignore_index=255, reduction 'mean'): avg_non_ignore=True, which
#   UniMatch's loss normalisation also relies on (see mmssl UniMatch).
# Differences kept on purpose (mmseg model zoo): mmseg's decoder uses
# depthwise-separable convolutions in the ASPP and the fusion (official:
# plain 3x3 convolutions); the stem is ResNetV1c's 3x3 deep stem with 64
# channels so that the model-zoo ImageNet weights
# 'open-mmlab://resnet101_v1c' load (official: a 64-64-128 deep stem with
# their own ImageNet checkpoint, pretrained/resnet101.pth).
_base_ = './deeplabv3plus_r101-d8.py'

model = dict(
    _delete_=True,
    type='UniMatch',
    segmentor=dict(
        _base_.model,
        data_preprocessor=None,
        backbone=dict(
            _base_.model.backbone,
            strides=(1, 2, 2, 1),
            dilations=(1, 1, 1, 2)),
        decode_head=dict(
            _base_.model.decode_head,
            channels=256,
            c1_channels=48,
            dilations=(1, 6, 12, 18),
            dropout_ratio=0.0,
            align_corners=True),
        auxiliary_head=None),
    data_preprocessor=dict(
        type='mmdet.MultiBranchDataPreprocessor',
        data_preprocessor=dict(
            _base_.data_preprocessor,
            type='mmseg.SegDataPreProcessor',
            size=(321, 321))),
    semi_train_cfg=dict(
        teacher='student',  # no EMA: the model labels itself
        unsup_on='unlabeled',  # official: Lu on the unlabeled loader only
        unsup_weight=1.0,  # no ramp in the official code
        pseudo_threshold=0.95,  # conf_thresh (pascal.yaml; cityscapes: 0)
        # obtain_cutmix_box(p=0.5, size_min=0.02, size_max=0.4,
        # ratio_1=0.3, ratio_2=1/0.3) (dataset/transform.py)
        mask_generator=dict(
            type='UniMatchCutMixMaskGenerator',
            prob=0.5,
            area_range=(0.02, 0.4),
            ratio_range=(0.3, 1 / 0.3)),
        # nn.Dropout2d(0.5) on c1 and c4, decoded with the clean features
        # in one batch (deeplabv3plus.py forward, need_fp=True)
        feature_perturbation=dict(type='FeatureDropout', p=0.5),
        fp_batching='concat',
        # the same partner index of the mix loader for s1 and s2
        # (img_u_s1_mix / img_u_s2_mix of one sample, unimatch.py)
        partners='shared',
        # loss = (loss_x + loss_u_s1 * 0.25 + loss_u_s2 * 0.25
        #         + loss_u_w_fp * 0.5) / 2.0   (unimatch.py)
        stream_weights=dict(sup=1.0, s1=0.25, s2=0.25, fp=0.5),
        loss_scale=0.5),
    semi_test_cfg=dict(predict_on='student'))

# MixSemiSegmentor around mmseg's PSPNet R101-D8 (ImageNet
# 'open-mmlab://resnet101_v1c'), WITHOUT the auxiliary head: French et al.
# (D.4.3) did not use PSPNet's auxiliary loss ("deep supervision trick").
# Their PSPNet is the MIT CSAIL implementation; mmseg's is the same
# architecture (pyramid pooling 1/2/3/6) on ResNetV1c. Cross-entropy averaged
# over valid pixels. Semi-supervised settings as
# semi_mix_deeplabv2_r101-d8.py (ClassMix defaults; configs override).
_base_ = 'mmseg::_base_/models/pspnet_r50-d8.py'

segmentor = dict(
    _base_.model,
    data_preprocessor=None,
    pretrained='open-mmlab://resnet101_v1c',
    backbone=dict(_base_.model.backbone, depth=101),
    decode_head=dict(
        _base_.model.decode_head,
        loss_decode=dict(
            type='CrossEntropyLoss',
            use_sigmoid=False,
            loss_weight=1.0,
            avg_non_ignore=True)),
    auxiliary_head=None,
    test_cfg=dict(mode='whole'))
model = dict(
    _delete_=True,
    type='MixSemiSegmentor',
    segmentor=segmentor,
    data_preprocessor=dict(
        type='mmdet.MultiBranchDataPreprocessor',
        data_preprocessor=dict(
            _base_.data_preprocessor,
            type='mmseg.SegDataPreProcessor',
            size=(321, 321))),
    semi_train_cfg=dict(
        unsup_on='unlabeled',
        unsup_weight=1.0,
        mask_generator=dict(type='ClassMixMaskGenerator'),
        consistency_loss='cross_entropy',
        unsup_weighting='confidence_proportion',
        confidence_threshold=0.968,
        extra_augs=None),
    semi_test_cfg=dict(predict_on='teacher'))

# MixSemiSegmentor around the model-zoo DeepLabv3+ R101-D8 (ImageNet
# 'open-mmlab://resnet101_v1c'), WITHOUT the auxiliary FCN head: French et
# al.'s DeepLab v3+ (appendix A / D.4.3) has none. Semi-supervised settings
# as semi_mix_deeplabv2_r101-d8.py (ClassMix defaults; configs override).
_base_ = './deeplabv3plus_r101-d8.py'

model = dict(
    _delete_=True,
    type='MixSemiSegmentor',
    segmentor=dict(_base_.model, data_preprocessor=None, auxiliary_head=None),
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

# MixSemiSegmentor (student + EMA teacher, mixing in the unsupervised branch)
# around DeepLab-v2 R101 (./deeplabv2_r101-d8.py). Defaults: ClassMix
# (class masks from the teacher's argmax, cross-entropy on the argmax of the
# mixed prediction, weighted by the proportion of pixels with teacher
# confidence >= 0.968); the CutMix / Cutout configs override the mask
# generator, the loss and tau. Mixing uses the unlabeled samples only
# (unsup_on='unlabeled'); each view's batch is normalised and padded by
# mmseg's SegDataPreProcessor, run per branch by mmdet's
# MultiBranchDataPreprocessor; the configs set `size` to their crop.
_base_ = './deeplabv2_r101-d8.py'

model = dict(
    _delete_=True,
    type='MixSemiSegmentor',
    segmentor=dict(_base_.model, data_preprocessor=None),
    data_preprocessor=dict(
        type='mmdet.MultiBranchDataPreprocessor',
        data_preprocessor=dict(
            _base_.data_preprocessor,
            type='mmseg.SegDataPreProcessor',
            size=(512, 1024))),
    semi_train_cfg=dict(
        unsup_on='unlabeled',
        unsup_weight=1.0,
        mask_generator=dict(type='ClassMixMaskGenerator'),
        consistency_loss='cross_entropy',
        unsup_weighting='confidence_proportion',
        confidence_threshold=0.968,
        extra_augs=None),
    semi_test_cfg=dict(predict_on='teacher'))

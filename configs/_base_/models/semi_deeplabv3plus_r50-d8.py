# SemiSegmentor (student + EMA teacher) around the model-zoo DeepLabv3+ R50.
# Each view's batch is normalised/padded by mmseg's SegDataPreProcessor,
# run per branch by mmdet's MultiBranchDataPreprocessor.
_base_ = './deeplabv3plus_r50-d8.py'

model = dict(
    _delete_=True,
    type='SemiSegmentor',
    segmentor=dict(_base_.model, data_preprocessor=None),
    data_preprocessor=dict(
        type='mmdet.MultiBranchDataPreprocessor',
        data_preprocessor=dict(
            _base_.data_preprocessor,
            type='mmseg.SegDataPreProcessor',
            size=(800, 800))),  # pad to the crop size (h, w)
    # Dense FixMatch main setting: tau 0.5, lambda 1 (table 4, dagger:
    # "values used in the main experiments"; lambda ramped by
    # UnsupWeightHook); Lu on the unlabeled samples only (table 3, dagger
    # "our setting for the main experiments": the row with Lu on the extra
    # (unlabeled) samples, not on the labeled train ones; Lu on both is
    # table 3's best, set by the cityscapes-full configs); evaluate the EMA
    # teacher (sec. 4, "Evaluation").
    semi_train_cfg=dict(
        pseudo_threshold=0.5, unsup_on='unlabeled', unsup_weight=1.0),
    semi_test_cfg=dict(predict_on='teacher'))

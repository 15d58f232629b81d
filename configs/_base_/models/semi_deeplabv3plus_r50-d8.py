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
    # Dense FixMatch main setting (paper table 4, dagger): tau 0.5, lambda 1
    # (ramped by UnsupWeightHook); Lu on labeled and unlabeled samples
    # (table 3: best), evaluate the EMA teacher.
    semi_train_cfg=dict(
        pseudo_threshold=0.5, unsup_on='all', unsup_weight=1.0),
    semi_test_cfg=dict(predict_on='teacher'))

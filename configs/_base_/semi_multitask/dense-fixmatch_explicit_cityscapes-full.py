# Dense FixMatch multi-task on the full Cityscapes train set (multi-task paper
# sec. 4.2, table 4): all 2,975 train images labeled for both tasks (no
# split files), the train_extra images unlabeled (list them with
# tools/convert_cityscapes_unlabeled.py), explicit sampling 8 + 8 (2 + 2 per
# GPU on 4 GPUs), 150k steps, lambda ramp over 10 % (table 10 for 4.2), Lu on
# all samples; the rest as the low-data configs (dense-fixmatch_explicit_cityscapes.py).
# Leaves choose the sampling, where Lu applies and the unlabeled sets
# (train_extra, or train_extra + sequence as a ConcatDataset).
_base_ = [
    './dense-fixmatch_explicit_cityscapes.py',
    '../datasets/cityscapes_unlabeled_sets.py',
]
max_iters = 150000
unlabeled_pipeline = _base_.multitask_loading + [_base_.multitask_views]
train_extra = dict(_base_.train_extra_dataset, pipeline=unlabeled_pipeline)
sequence = dict(_base_.sequence_dataset, pipeline=unlabeled_pipeline)
# Column "train" of table 4 (no unlabeled set): 4 per GPU drawn uniformly
# from the labeled train images, Lu on them.
train_only_loader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        _base_.train_dataset,
        subset='all',
        seg_split=None,
        det_split=None,
        pipeline=unlabeled_pipeline))
train_dataloader = dict(
    dataset=dict(
        labeled=dict(subset='any', seg_split=None, det_split=None),
        unlabeled=dict(train_extra, _delete_=True)))
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=0.0,
        power=0.9,
        begin=0,
        end=max_iters,
        by_epoch=False)
]
train_cfg = dict(max_iters=max_iters)
custom_hooks = [
    # the torch RNG state in checkpoints: --resume continues exactly
    dict(type='RNGStateHook'),
    dict(type='EMATeacherHook', decay=0.99, update_buffers=True),
    dict(
        type='UnsupWeightHook',
        max_weight=1.0,
        schedule='sigmoid',
        warmup_ratio=0.1),
    dict(type='PseudoLabelVisualizationHook', interval=2000, max_samples=2),
]

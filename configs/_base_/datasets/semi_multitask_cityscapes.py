# Cityscapes multi-task (segmentation + detection) for FixMatch* / Dense
# FixMatch: the two-view pipelines of pipelines/multitask_views.py after
# the multi-task loading of multitask_cityscapes.py.
#
# Explicit sampling (default here): 2 labeled + 2 unlabeled per GPU, 8 + 8
# on 4 GPUs; "labeled" = labeled for at least one task (subset 'any' /
# 'none'; paper sec. 3). For a chosen task use subsets 'seg' / 'not_seg'
# (or 'det' / 'not_det'). Implicit sampling: ImplicitSemiSampler, 4 per
# GPU (16) drawn uniformly from both parts (see the *implicit* configs).
_base_ = ['./multitask_cityscapes.py', './pipelines/multitask_views.py']

train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='ExplicitSemiSampler', batch_size=4, num_labeled=2),
    dataset=dict(
        type='SemiDataset',
        labeled=dict(
            _base_.train_dataset,
            subset='any',
            pipeline=_base_.multitask_loading + [_base_.multitask_views]),
        unlabeled=dict(
            _base_.train_dataset,
            subset='none',
            pipeline=_base_.multitask_loading + [_base_.multitask_views])))

# Supervised baselines: the weak view's augmentation (rescale 0.5-2, crop,
# flip), 2 per GPU (8 on 4 GPUs), samples labeled for at least one task;
# each task's loss over the samples labeled for it.
supervised_pipeline = _base_.multitask_loading + _base_.supervised_augs
supervised_dataloader = dict(
    batch_size=2,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        _base_.train_dataset, subset='any', pipeline=supervised_pipeline))

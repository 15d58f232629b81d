# BDD100K multi-task (segmentation + detection) for FixMatch* / Dense
# FixMatch (multi-task paper sec. 4.3, table 7): the two-view pipelines of
# pipelines/multitask_views.py after the multi-task loading of
# multitask_bdd100k.py, rescaled from BDD100K's 1280x720 frames (0.5-2) and
# cropped to 800x800 as for Cityscapes.
#
# Explicit sampling (default here): 2 + 2 per GPU (8 + 8 on 4 GPUs) with
# "labeled" = labeled for BOTH tasks (the 2,972 fully labeled images, subset
# 'both') and the rest (labeled for one task or none, subset 'not_both') as
# the second part: the paper's "the explicit setting oversamples the
# fully-labeled samples" (sec. 4.3). Implicit sampling: 4 per GPU drawn
# uniformly from all 73,570 training images.
_base_ = ['./multitask_bdd100k.py', './pipelines/multitask_views.py']

random_resize = dict(_base_.random_resize, scale=(1280, 720))
multitask_views = dict(_base_.multitask_views, resize=random_resize)
fixmatch_star_views = dict(_base_.fixmatch_star_views, resize=random_resize)
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='ExplicitSemiSampler', batch_size=4, num_labeled=2),
    dataset=dict(
        type='SemiDataset',
        labeled=dict(
            _base_.train_dataset,
            subset='both',
            pipeline=_base_.multitask_loading + [multitask_views]),
        unlabeled=dict(
            _base_.train_dataset,
            subset='not_both',
            pipeline=_base_.multitask_loading + [multitask_views])))

# Supervised baselines (table 7): the weak view's augmentation, 2 per GPU
# (8 on 4 GPUs) drawn uniformly from the partially labeled samples (subset
# 'any'; 'both' for the fully-labeled-only baseline, 'seg' / 'det' for the
# single-task ones); each task's loss over the samples labeled for it.
supervised_pipeline = _base_.multitask_loading + [
    random_resize
] + _base_.supervised_augs[1:]
supervised_dataloader = dict(
    batch_size=2,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        _base_.train_dataset, subset='any', pipeline=supervised_pipeline))

# Cityscapes multi-task (segmentation + detection) for FixMatch* / Dense
# FixMatch: each sample loaded once (label map or an empty map, boxes or
# none, per-task flags) and turned into a weak and a strong view by
# SemiViews; both branches packed by PackMultiTaskInputs (DetDataSample with
# gt_instances + gt_sem_seg, homography_matrix and the per-task flags).
# Geometric ops move boxes and label maps with the image, and record the
# homography the model uses to match pseudo-labels (pixels and boxes).
#
# Explicit sampling (default here): 2 labeled + 2 unlabeled per GPU, 8 + 8
# on 4 GPUs; "labeled" = labeled for at least one task (subset 'any' /
# 'none'; paper sec. 3). For a chosen task use subsets 'seg' / 'not_seg'
# (or 'det' / 'not_det'). Implicit sampling: ImplicitSemiSampler, 4 per
# GPU (16) drawn uniformly from both parts (see the *implicit* configs).
_base_ = ['./multitask_cityscapes.py', './pipelines/dense_fixmatch_views.py']

pack_multitask = dict(type='PackMultiTaskInputs')
# Dense FixMatch: weak = rescale + crop + flip; strong = rescale + crop +
# RandAugment (2 of colour and affine ops) + Cutout; min-overlap crops.
weak_branch = [_base_.horizontal_flip, pack_multitask]
strong_branch = [
    dict(
        type='mmdet.RandAugment',
        aug_space=_base_.photometric_ops + _base_.geometric_ops,
        aug_num=2),
    _base_.cutout,
    pack_multitask,
]
multitask_views = dict(
    type='SemiViews',
    weak=weak_branch,
    strong=strong_branch,
    crop_size=_base_.crop_size,
    resize=_base_.random_resize,
    crop_relation='overlap',
    min_overlap=0.5,
    share_scale=False)
# FixMatch* (invariant only): one shared scale and crop, no flip, colour
# RandAugment + Cutout only (the * ops of table 10 disabled).
fixmatch_star_views = dict(
    type='SemiViews',
    weak=[pack_multitask],
    strong=[
        dict(
            type='mmdet.RandAugment',
            aug_space=_base_.photometric_ops,
            aug_num=2),
        _base_.cutout,
        pack_multitask,
    ],
    crop_size=_base_.crop_size,
    resize=_base_.random_resize,
    crop_relation='same',
    share_scale=True)

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
            pipeline=_base_.multitask_loading + [multitask_views]),
        unlabeled=dict(
            _base_.train_dataset,
            subset='none',
            pipeline=_base_.multitask_loading + [multitask_views])))

# Supervised baselines: the weak view's augmentation (rescale 0.5-2, crop,
# flip), 2 per GPU (8 on 4 GPUs), samples labeled for at least one task;
# each task's loss over the samples labeled for it.
supervised_pipeline = _base_.multitask_loading + [
    _base_.random_resize,
    # NOTE mmdet.RandomCrop takes (w, h); crop_size is (h, w)
    dict(
        type='mmdet.RandomCrop',
        crop_size=(_base_.crop_size[1], _base_.crop_size[0]),
        allow_negative_crop=True),
    _base_.horizontal_flip,
    pack_multitask,
]
supervised_dataloader = dict(
    batch_size=2,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        _base_.train_dataset, subset='any', pipeline=supervised_pipeline))

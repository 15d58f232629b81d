# The two-view pipelines of the multi-task configs (any multi-task dataset):
# each sample loaded once (label map or an empty map, boxes or none,
# per-task flags) and turned into a weak and a strong view by SemiViews;
# both branches packed by PackMultiTaskInputs (DetDataSample with
# gt_instances + gt_sem_seg, homography_matrix and the per-task flags).
# Geometric ops move boxes and label maps with the image, and record the
# homography the model uses to match pseudo-labels (pixels and boxes).
# Dataset configs put their loading in front:
#   multitask_loading + [multitask_views]     (Dense FixMatch)
#   multitask_loading + [fixmatch_star_views] (FixMatch*)
#   multitask_loading + supervised_augs       (supervised baselines)
# and rebuild the dicts for another image scale (values are copied when
# this file is parsed), e.g. dict(_base_.multitask_views, resize=...).
_base_ = ['./dense_fixmatch_views.py']
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

# Supervised baselines: the weak view's augmentation (rescale 0.5-2, crop,
# flip).
supervised_augs = [
    _base_.random_resize,
    # NOTE mmdet.RandomCrop takes (w, h); crop_size is (h, w)
    dict(
        type='mmdet.RandomCrop',
        crop_size=(_base_.crop_size[1], _base_.crop_size[0]),
        allow_negative_crop=True),
    _base_.horizontal_flip,
    pack_multitask,
]

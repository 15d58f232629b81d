# FixMatch* (invariant only) views: one shared scale and crop, no flip, and a
# strong view with photometric RandAugment + Cutout only, so the matching
# between the views is the identity (relative homography = I).
#
# Dataset config usage: as dense_fixmatch_views.py.
_base_ = ['./semi_views_common.py']

weak_branch = [_base_.pack_view]  # flips are disabled for FixMatch*
strong_branch_photometric = [
    dict(
        type='mmdet.RandAugment', aug_space=_base_.photometric_ops, aug_num=2),
    _base_.cutout,
    _base_.pack_view,
]
strong_branch = strong_branch_photometric

semi_views_labeled = dict(
    type='SemiViews',
    weak=weak_branch,
    strong=strong_branch_photometric,
    crop_size=_base_.crop_size,
    resize=_base_.random_resize,
    crop_relation='same',
    share_scale=True)
semi_views_unlabeled = dict(semi_views_labeled)

# Dense FixMatch views: weak = rescale + crop + flip; strong = rescale + crop
# + RandAugment (2 of photometric and geometric ops) + Cutout. The relation
# between the two crops is `crop_relation` ('same' | 'overlap' | 'any').
#
# Dataset config usage (Python config):
#   _base_ = ['../_base_/datasets/pipelines/dense_fixmatch_views.py']
#   labeled_pipeline = [
#       dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
#       ...,  # sets results['is_labeled']
#       dict(_base_.semi_views_labeled, crop_relation='same')]
_base_ = ['./semi_views_common.py']

weak_branch = [_base_.horizontal_flip, _base_.pack_view]
strong_branch = [
    dict(
        type='mmdet.RandAugment',
        aug_space=_base_.photometric_ops + _base_.geometric_ops,
        aug_num=2),
    _base_.cutout,
    _base_.pack_view,
]
# Crop + colour + Cutout only (paper table 5 ablation rows).
strong_branch_photometric = [
    dict(
        type='mmdet.RandAugment', aug_space=_base_.photometric_ops, aug_num=2),
    _base_.cutout,
    _base_.pack_view,
]

semi_views_labeled = dict(
    type='SemiViews',
    weak=weak_branch,
    strong=strong_branch,
    crop_size=_base_.crop_size,
    resize=_base_.random_resize,
    crop_relation='overlap',  # paper's main setting ("min. overlap")
    min_overlap=0.5,  # value not given in the paper
    share_scale=False)  # Dense FixMatch: resize + crop per view
# Identical views for unlabeled samples (their gt_seg_map is all 255).
semi_views_unlabeled = dict(semi_views_labeled)

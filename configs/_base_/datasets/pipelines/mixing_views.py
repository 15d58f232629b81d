# Views for the mixing methods (ClassMix, CutMix / Cutout mean teacher): the
# teacher (weak) and the student (strong) see the SAME geometry: one scale,
# one crop (crop_relation='same', share_scale=True), and no flip or other op
# inside a branch (a flip drawn per branch would differ between the views).
# The strong branch adds no photometric op either: the perturbation is the
# mixing (and ClassMix's optional extra augmentations), done in the model.
# A random flip, when the method uses one, goes BEFORE SemiViews in the
# loading pipeline (`shared_flip`), so both views inherit it; mmdet's
# RandomFlip records it in homography_matrix.
#
# Dataset config usage:
#   _base_ = ['./pipelines/mixing_views.py']
#   views = dict(_base_.semi_views_unlabeled, crop_size=(256, 512),
#                resize=dict(type='ExactResize', scale=(1024, 512),
#                            keep_ratio=True))
#   pipeline = [load..., _base_.shared_flip, views]
_base_ = ['./semi_views_common.py']

shared_flip = _base_.horizontal_flip
weak_branch = [_base_.pack_view]
strong_branch = [_base_.pack_view]
semi_views_labeled = dict(
    type='SemiViews',
    weak=weak_branch,
    strong=strong_branch,
    crop_size=_base_.crop_size,
    resize=_base_.random_resize,
    crop_relation='same',
    share_scale=True)
semi_views_unlabeled = dict(semi_views_labeled)

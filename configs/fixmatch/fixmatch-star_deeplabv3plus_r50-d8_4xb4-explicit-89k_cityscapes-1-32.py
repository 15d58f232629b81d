# FixMatch* (invariant-only FixMatch, multi-task paper sec. 3-4): the Dense
# FixMatch model, sampling, schedule and hooks, but both views share one scale
# and one crop, flips are off, and the strong view is photometric only
# (RandAugment colour ops + Cutout; the ops marked * in table 10 disabled), so
# pseudo-labels need no matching (relative homography = identity). DeepLabv3+
# R50, Cityscapes 1/32 (93 labeled), split 0, explicit sampling 8 + 8.
# Choice: everything but the views is the Dense FixMatch paper's main setting
# of the Dense FixMatch configs (tau 0.5, Lu on the unlabeled samples only,
# lambda warm-up over 60 epochs = 22,312.5 updates), for a like-for-like
# comparison of invariant vs equivariant consistency; the multi-task paper's
# own FixMatch* uses tau 0 for segmentation and a 5 % warm-up (table 10):
# configs/semi_multitask/fixmatch-star_deeplabv3plus_r50_*-mt-seg-*.py.
_base_ = ('../dense_fixmatch/'
          'dense-fixmatch_deeplabv3plus_r50-d8_4xb4-explicit-89k_'
          'cityscapes-1-32.py')
# The views of _base_/datasets/pipelines/fixmatch_star_views.py, rebuilt
# here: that file cannot be a second base next to
# dense_fixmatch_views.py (duplicate keys).
weak_branch = [_base_.pack_view]  # no flip
strong_branch = _base_.strong_branch_photometric
semi_views_labeled = dict(
    _base_.semi_views_labeled,
    weak=weak_branch,
    strong=strong_branch,
    crop_relation='same',
    share_scale=True)
semi_views_unlabeled = dict(semi_views_labeled)
train_dataloader = dict(
    dataset=dict(
        labeled=dict(
            pipeline=_base_.labeled_loading + [semi_views_labeled]),
        unlabeled=dict(
            pipeline=_base_.unlabeled_loading + [semi_views_unlabeled])))

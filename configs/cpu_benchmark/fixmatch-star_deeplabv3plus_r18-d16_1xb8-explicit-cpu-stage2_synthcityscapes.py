# FixMatch* arm of the CPU benchmark in the papers' regime (issue 17): the
# Dense FixMatch arm with FixMatch*'s views, as the real FixMatch* config
# derives them from Dense FixMatch's (multi-task paper, arXiv:2605.17624:
# invariant SSL, both views share one crop and scale, no flip, the strong
# view only photometric RandAugment + Cutout, so no geometric matching of
# the pseudo-labels); every other setting is Dense FixMatch's.
_base_ = ('./dense-fixmatch_deeplabv3plus_r18-d16_1xb8-explicit-cpu-'
          'stage2_synthcityscapes.py')

weak_branch = [_base_.pack_view]  # no flip
semi_views_labeled = dict(
    _base_.labeled_views,
    weak=weak_branch,
    strong=_base_.strong_branch_photometric,
    crop_relation='same',
    share_scale=True)
semi_views_unlabeled = dict(semi_views_labeled)
train_dataloader = dict(
    dataset=dict(
        labeled=dict(
            pipeline=_base_.labeled_loading + [semi_views_labeled]),
        unlabeled=dict(
            pipeline=_base_.unlabeled_loading + [semi_views_unlabeled])))

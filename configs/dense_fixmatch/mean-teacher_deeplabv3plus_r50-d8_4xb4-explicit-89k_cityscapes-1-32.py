# Dense FixMatch table 5 "Mean Teacher*": the EMA teacher and consistency loss
# on the supervised baseline's augmentation only: both views are rescale + crop
# + horizontal flip (the strong branch = the weak branch, no RandAugment, no
# Cutout), each with its own scale and crop; pseudo-labels are matched between
# the views like Dense FixMatch. R50, Cityscapes 1/32 split 0, explicit. Paper
# silent / choice: independent crops ('any'), the Dense FixMatch loss (hard
# pseudo-labels, tau 0.5, lambda 1, Lu on the unlabeled samples; the
# 60-epoch warm-up of table 5's caption).
_base_ = ('./dense-fixmatch_deeplabv3plus_r50-d8_4xb4-explicit-89k_'
          'cityscapes-1-32.py')
strong_branch = _base_.weak_branch  # flip + pack
semi_views_labeled = dict(
    _base_.semi_views_labeled,
    weak=strong_branch,
    strong=strong_branch,
    crop_relation='any',
    share_scale=False)
semi_views_unlabeled = dict(semi_views_labeled)
train_dataloader = dict(
    dataset=dict(
        labeled=dict(
            pipeline=_base_.labeled_loading + [semi_views_labeled]),
        unlabeled=dict(
            pipeline=_base_.unlabeled_loading + [semi_views_unlabeled])))

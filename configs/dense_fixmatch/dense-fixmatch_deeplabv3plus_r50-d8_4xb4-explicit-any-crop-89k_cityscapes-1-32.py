# Dense FixMatch table 5 ablation, crop relation 'any': each view draws its own
# scale and crop independently (they may not overlap at all, leaving no valid
# pseudo-labels for that sample); otherwise the main setting (R50, Cityscapes
# 1/32 split 0, explicit). Ramp-up as in the main config (see the 'same' crop
# ablation).
_base_ = ('./dense-fixmatch_deeplabv3plus_r50-d8_4xb4-explicit-89k_'
          'cityscapes-1-32.py')
semi_views_labeled = dict(
    _base_.semi_views_labeled, crop_relation='any', share_scale=False)
semi_views_unlabeled = dict(semi_views_labeled)
train_dataloader = dict(
    dataset=dict(
        labeled=dict(
            pipeline=_base_.labeled_loading + [semi_views_labeled]),
        unlabeled=dict(
            pipeline=_base_.unlabeled_loading + [semi_views_unlabeled])))

# FixMatch* multi-task (invariant only): the Dense FixMatch multi-task config
# with one shared scale and crop, no flips and a photometric-only strong
# view (RandAugment colour ops + Cutout), so the relative homography is the
# identity and pseudo-labels (maps and boxes) need no geometric matching.
_base_ = './dense-fixmatch_explicit_cityscapes.py'
train_dataloader = dict(
    dataset=dict(
        labeled=dict(pipeline=_base_.multitask_loading +
                     [_base_.fixmatch_star_views]),
        unlabeled=dict(pipeline=_base_.multitask_loading +
                       [_base_.fixmatch_star_views])))

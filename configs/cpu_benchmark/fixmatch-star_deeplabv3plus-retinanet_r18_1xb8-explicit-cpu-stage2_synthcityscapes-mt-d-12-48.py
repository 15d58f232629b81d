# FixMatch* (invariant views only) multi-task arm of the CPU benchmark in the
# papers' regime (issue 17): the Dense FixMatch multi-task arm with the
# FixMatch* views of the multi-task paper (one shared scale and crop, no
# flip, colour RandAugment + Cutout only: table 10 without the * ops), as
# configs/demo/fixmatch-star_deeplabv3plus-retinanet_r18_1xb8-explicit-
# cpu-sup1500i-300i_synthcityscapes-mt-d-8-24.py sets them.
_base_ = ('./dense-fixmatch_deeplabv3plus-retinanet_r18_1xb8-explicit-cpu-'
          'stage2_synthcityscapes-mt-d-12-48.py')

views = dict(
    _base_.fixmatch_star_views,
    crop_size=_base_.crop_size,
    resize=_base_.resize)
train_dataloader = dict(
    dataset=dict(
        labeled=dict(pipeline=_base_.multitask_loading + [views]),
        unlabeled=dict(pipeline=_base_.multitask_loading + [views])))

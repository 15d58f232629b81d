# CPU demo, stage 2 of the FixMatch* multi-task arm of
# tools/benchmark_multitask.py (invariant only): the Dense FixMatch stage-2
# demo (dense-fixmatch_deeplabv3plus-retinanet_r18_1xb8-explicit-cpu-
# sup1500i-300i_synthcityscapes-mt-d-8-24.py: same warm-up checkpoint, 4 + 4
# per batch, lr 1e-3, 300 steps, EMA 0.9) with FixMatch*'s views: one shared
# scale and crop, no flip, photometric RandAugment + Cutout for the strong
# view, so the teacher's maps and boxes need no geometric matching.
_base_ = ('./dense-fixmatch_deeplabv3plus-retinanet_r18_1xb8-explicit-cpu-'
          'sup1500i-300i_synthcityscapes-mt-d-8-24.py')

views = dict(
    _base_.fixmatch_star_views,
    crop_size=_base_.crop_size,
    resize=_base_.resize)
train_dataloader = dict(
    dataset=dict(
        labeled=dict(pipeline=_base_.multitask_loading + [views]),
        unlabeled=dict(pipeline=_base_.multitask_loading + [views])))

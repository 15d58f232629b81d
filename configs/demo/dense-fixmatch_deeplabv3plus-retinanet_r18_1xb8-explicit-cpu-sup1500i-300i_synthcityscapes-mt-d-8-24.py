# CPU demo, stage 2 of the Dense FixMatch multi-task arm of
# tools/benchmark_multitask.py: student and EMA teacher both start from the
# supervised multi-task warm-up (multitask-sup_deeplabv3plus-retinanet_r18_
# 1xb4-cpu-1500i_synthcityscapes-mt-d-8-24.py) and train 300 steps of 4
# labeled (for at least one task) + 4 unlabeled samples: the same labeled
# batch size, learning rate (1e-3, half the warm-up's) and step count as the
# supervised stage-2 arm (multitask-sup_..._1xb4-cpu-sup1500i-300i_...).
# EMA decay 0.9: the evaluated teacher must follow the student within the
# 300 steps (0.99 would leave two thirds of the warm-up weights in it);
# lambda ramp over the first 10 %. The rest as the 200-step demo (Lu on all
# samples, seg pseudo-labels without threshold, boxes >= 0.5 projected
# weak -> strong, positives-only unsupervised detection loss).
_base_ = ('./dense-fixmatch_deeplabv3plus-retinanet_r18_1xb8-explicit-cpu-'
          '200i_synthcityscapes-mt-d-8-24.py')

max_iters = 300
warmup_checkpoint = 'work_dirs/demo/multitask_sup_1500i/iter_1500.pth'
model = dict(
    model=dict(
        init_cfg=dict(type='Pretrained', checkpoint=warmup_checkpoint)))
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=max_iters))
custom_hooks = [
    # the torch RNG state in checkpoints: --resume continues exactly
    dict(type='RNGStateHook'),
    dict(type='EMATeacherHook', decay=0.9),
    dict(type='UnsupWeightHook', max_weight=1.0, schedule='sigmoid',
         warmup_ratio=0.1),
    dict(type='PseudoLabelVisualizationHook', interval=50, max_samples=2),
]

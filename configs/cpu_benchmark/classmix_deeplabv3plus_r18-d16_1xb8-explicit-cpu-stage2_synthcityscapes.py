# ClassMix arm of the CPU benchmark in the papers' regime (issue 17): the
# ClassMix CPU demo's method (one scale, crop and flip shared by the two
# views, the unlabeled images mixed with half of the classes of the
# teacher's argmax, cross-entropy on the mixed argmax weighted by the
# fraction of pixels with confidence >= 0.968, a constant unsupervised
# factor 1: ClassMix, arXiv:2007.07936, sec. 4.1 and the authors' code)
# with the CPU model of configs/_base_/cpu_benchmark.py, student and EMA
# teacher (decay 0.99) from the stage-1 checkpoint, 150 steps of 4 labeled +
# 4 unlabeled (the baseline arm's labeled batch, optimiser and schedule).
_base_ = [
    '../demo/classmix_deeplabv3plus_r18-d8_1xb8-explicit-cpu-sup300i-100i_'
    'synthcityscapes-8.py', '../_base_/cpu_benchmark.py'
]

model = dict(
    segmentor=_base_.cpu_stage2_segmentor,
    semi_train_cfg=dict(confidence_threshold=0.968))
train_dataloader = dict(dataset=_base_.cpu_semi_data)
val_dataloader = _base_.cpu_eval_data
test_dataloader = val_dataloader
optim_wrapper = dict(_delete_=True, **_base_.cpu_optim_wrapper)
param_scheduler = _base_.cpu_stage2_param_scheduler
train_cfg = _base_.cpu_stage2_train_cfg
default_hooks = _base_.cpu_stage2_default_hooks
custom_hooks = [
    _base_.cpu_rng,
    _base_.cpu_ema,
    dict(type='UnsupWeightHook', max_weight=1.0, schedule='constant'),
    _base_.cpu_panels,
]

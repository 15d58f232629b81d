# Dense FixMatch arm of the CPU benchmark in the papers' regime (issue 17):
# the real Dense FixMatch config (through its CPU demo, which only shrinks
# model, crops and batch) with the CPU model of configs/_base_/
# cpu_benchmark.py, student and EMA teacher both from the stage-1
# checkpoint, 150 steps of 4 labeled + 4 unlabeled samples (the baseline
# arm's labeled batch, optimiser and schedule). The paper's settings
# (Dense FixMatch, arXiv:2210.09919): tau 0.5 and lambda 1 (table 4,
# dagger: the main experiments), Lu on the unlabeled samples only (table 3,
# dagger), min-overlap crops of the two views (table 5, dagger), EMA 0.99
# (sec. 4), lambda ramped up with a sigmoid over the first 60 of 240
# epochs (table 5 caption) = the first 25 % of the steps.
_base_ = [
    '../demo/dense-fixmatch_deeplabv3plus_r18-d8_1xb8-explicit-cpu-300i_'
    'synthcityscapes-8.py', '../_base_/cpu_benchmark.py'
]

model = dict(
    segmentor=_base_.cpu_stage2_segmentor,
    semi_train_cfg=dict(
        unsup_on='unlabeled', pseudo_threshold=0.5, unsup_weight=1.0))
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
    dict(type='UnsupWeightHook', max_weight=1.0, schedule='sigmoid',
         warmup_ratio=0.25),
    _base_.cpu_panels,
]

# Dense FixMatch multi-task arm of the CPU benchmark in the papers' regime
# (issue 17, tools/benchmark_regime.py): the CPU multi-task demo config
# (4 labeled-for-a-task + 4 unlabeled samples per batch, 128x128 crops)
# with the regime's network, data and optimiser (configs/_base_/
# cpu_benchmark.py, cpu_mt_*), student and EMA teacher both starting from
# the multi-task stage-1 checkpoint (tools/benchmark_regime.py passes it),
# 150 steps as every arm. The multi-task paper's settings (table 10, sec.
# 4.1; configs/_base_/models/semi_multitask_deeplabv3plus-retinanet_r50.py):
# segmentation pseudo-labels without threshold, detection boxes scoring
# >= 0.5 projected weak -> strong, positives-only unsupervised detection
# loss, Lu on all samples; EMA 0.99 and the lambda ramp over the first 5 %
# (configs/_base_/semi_multitask/dense-fixmatch_explicit_cityscapes.py),
# not the CPU demo's 0.9 / 20 %.
_base_ = [
    '../demo/dense-fixmatch_deeplabv3plus-retinanet_r18_1xb8-explicit-cpu-'
    '200i_synthcityscapes-mt-d-8-24.py', '../_base_/cpu_benchmark.py'
]

max_iters = _base_.cpu_stage2_iters
cpu_mt_stage1_checkpoint = (
    'work_dirs/benchmark_regime/mt_stage1_4500i_data0_1-8/iter_4500.pth')
model = dict(
    model=dict(
        _base_.cpu_mt_network,
        backbone=dict(init_cfg=None),
        init_cfg=dict(
            type='Pretrained', checkpoint=cpu_mt_stage1_checkpoint)))
train_dataloader = dict(
    dataset=dict(
        labeled=dict(data_root=_base_.cpu_data_root, **_base_.cpu_mt_splits),
        unlabeled=dict(
            data_root=_base_.cpu_data_root, **_base_.cpu_mt_splits)))
val_dataloader = _base_.cpu_mt_eval['val_dataloader']
test_dataloader = val_dataloader
val_evaluator = _base_.cpu_mt_eval['evaluator']
test_evaluator = val_evaluator
optim_wrapper = dict(_delete_=True, **_base_.cpu_optim_wrapper)
param_scheduler = _base_.cpu_stage2_param_scheduler
train_cfg = _base_.cpu_stage2_train_cfg
default_hooks = _base_.cpu_stage2_default_hooks
custom_hooks = [
    _base_.cpu_rng,
    dict(type='EMATeacherHook', decay=0.99, update_buffers=True),
    dict(type='UnsupWeightHook', max_weight=1.0, schedule='sigmoid',
         warmup_ratio=0.05),
    _base_.cpu_panels,
]

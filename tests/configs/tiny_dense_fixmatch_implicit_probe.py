# Test-only: tiny Dense FixMatch with IMPLICIT sampling (uniform draws, so a
# rank's batch may hold no labeled sample), DDP with mmengine's default
# find_unused_parameters=False, and probes that record each rank's labeled
# counts and final state.
_base_ = './tiny_dense_fixmatch_probe.py'
max_iters = 4
train_dataloader = dict(
    batch_size=2,
    sampler=dict(_delete_=True, type='ImplicitSemiSampler'))
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel',
    broadcast_buffers=False,
    find_unused_parameters=False)
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
custom_hooks = [
    # the torch RNG state in checkpoints: --resume continues exactly
    dict(type='RNGStateHook'),
    dict(type='EMATeacherHook', decay=0.9),
    dict(type='UnsupWeightHook', max_weight=1.0, schedule='sigmoid',
         warmup_iters=2),
    dict(type='PseudoLabelVisualizationHook', interval=2, max_samples=2),
    dict(type='DumpRankStateHook'),
    dict(type='LabeledCountProbeHook'),
]

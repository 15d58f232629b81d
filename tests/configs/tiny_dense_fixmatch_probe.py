# Test-only: tiny Dense FixMatch plus probes that dump per-rank state.
_base_ = './tiny_dense_fixmatch.py'
custom_imports = dict(imports=['mmssl', 'dist_probe'])
custom_hooks = [
    # the torch RNG state in checkpoints: --resume continues exactly
    dict(type='RNGStateHook'),
    dict(type='EMATeacherHook', decay=0.9),
    dict(type='UnsupWeightHook', max_weight=1.0, schedule='sigmoid',
         warmup_iters=4),
    dict(type='PseudoLabelVisualizationHook', interval=1, max_samples=2),
    dict(type='DumpRankStateHook'),
    dict(type='ResumeProbeHook'),
]

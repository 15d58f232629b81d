# Hooks shared by the Dense FixMatch / FixMatch* configs.
# EMA teacher with EMAN (parameters and BN statistics), decay 0.99 (multi-task
# paper, table 10); lambda = 1 with a sigmoid ramp-up over the first 5 % of
# training (table 10, "~5 % total training steps" for Cityscapes low-data);
# pseudo-label panels every 2000 iterations. The Dense FixMatch paper's
# configs (configs/dense_fixmatch/, and configs/fixmatch/ built on them)
# replace the 5 % by that paper's 60-epoch warm-up (table 5 caption).
custom_hooks = [
    # the torch RNG state in checkpoints: --resume continues exactly
    dict(type='RNGStateHook'),
    dict(type='EMATeacherHook', decay=0.99, update_buffers=True),
    dict(
        type='UnsupWeightHook',
        max_weight=1.0,
        schedule='sigmoid',
        warmup_ratio=0.05),
    dict(type='PseudoLabelVisualizationHook', interval=2000, max_samples=2),
]

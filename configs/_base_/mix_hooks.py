# Hooks of the mixing methods (ClassMix, CutMix / Cutout mean teacher): EMA
# teacher decay 0.99 (both papers) with EMAN buffer averaging (mmssl's
# default; the papers' code averages parameters only); a constant
# unsupervised weight 1 (French et al. D.4.1 consistency weight 1; ClassMix
# lambda = the confidence proportion, computed inside the model, so the
# hook's factor stays 1: no ramp); pseudo-label panels every 2000 iters.
custom_hooks = [
    dict(type='EMATeacherHook', decay=0.99, update_buffers=True),
    dict(type='UnsupWeightHook', max_weight=1.0, schedule='constant'),
    dict(type='PseudoLabelVisualizationHook', interval=2000, max_samples=2),
]

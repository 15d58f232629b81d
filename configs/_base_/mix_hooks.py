# Hooks of the mixing methods (ClassMix, CutMix / Cutout mean teacher): EMA
# teacher decay 0.99 (both papers) with EMAN buffer averaging from the first
# step. French et al.'s code does exactly this: every float tensor of the
# state dict, parameters and BN statistics, with a constant alpha 0.99
# (optim_weight_ema.py:9-10, 21-25; their BN is frozen anyway). ClassMix's
# code differs (trainSSL.py:116-125, :265): alpha_t = min(1 - 1/(t + 1),
# 0.99), parameters only, teacher BN in train mode; mmssl's EMATeacherHook
# has no such option (stated in the ClassMix configs); a constant
# unsupervised weight 1 (French et al. D.4.1 consistency weight 1; ClassMix
# lambda = the confidence proportion, computed inside the model, so the
# hook's factor stays 1: no ramp); pseudo-label panels every 2000 iters.
custom_hooks = [
    # the torch RNG state in checkpoints: --resume continues exactly
    dict(type='RNGStateHook'),
    dict(type='EMATeacherHook', decay=0.99, update_buffers=True),
    dict(type='UnsupWeightHook', max_weight=1.0, schedule='constant'),
    dict(type='PseudoLabelVisualizationHook', interval=2000, max_samples=2),
]

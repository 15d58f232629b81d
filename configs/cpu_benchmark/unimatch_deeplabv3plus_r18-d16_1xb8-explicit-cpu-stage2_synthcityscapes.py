# UniMatch arm of the CPU benchmark in the papers' regime (issue 17,
# tools/benchmark_regime.py arm 'unimatch'): the peers' answer to the Dense
# FixMatch family's losses here (docs/cpu_benchmark.md), on the same start,
# model, data, batch (4 labeled + 4 unlabeled), optimiser and schedule as
# every stage-2 arm. UniMatch (Yang et al., "Revisiting Weak-to-Strong
# Consistency in Semi-Supervised Semantic Segmentation", arXiv:2208.09910)
# with the official settings through its CPU demo config
# (configs/_base_/models/unimatch_deeplabv3plus_r101-d16.py): the model
# labels itself from the weak view (no EMA teacher), two strong views with
# their own colour jitter, grayscale, blur and CutMix boxes, feature dropout
# 0.5 on the weak view, loss (Ls + 0.25 Ls1 + 0.25 Ls2 + 0.5 Lfp) / 2, no
# ramp; the threshold of the official Cityscapes config ("conf_thresh: 0",
# configs/cityscapes.yaml; the data is in the Cityscapes format); the
# weak and strong views share one crop, as in the official code. As every
# arm, the supervised loss is the benchmark's plain cross-entropy (the
# official Cityscapes config uses OHEM).
# Evaluation: UniMatch has no teacher, so the EMA of its weights (decay
# 0.99, mmengine's EMAHook, the average saved as the checkpoint's
# state_dict) is what is evaluated, as for the arm 'baseline_ema'; training
# never reads that average. This compares it like for like with the
# reference and with the arms evaluated on their EMA teacher.
_base_ = [
    '../demo/unimatch_deeplabv3plus_r18-d8_1xb8-explicit-cpu-sup300i-100i_'
    'synthcityscapes-8.py', '../_base_/cpu_benchmark.py'
]

model = dict(segmentor=_base_.cpu_stage2_segmentor)
train_dataloader = dict(dataset=_base_.cpu_semi_data)
val_dataloader = _base_.cpu_eval_data
test_dataloader = val_dataloader
optim_wrapper = dict(_delete_=True, **_base_.cpu_optim_wrapper)
param_scheduler = _base_.cpu_stage2_param_scheduler
train_cfg = _base_.cpu_stage2_train_cfg
default_hooks = _base_.cpu_stage2_default_hooks
custom_hooks = [
    _base_.cpu_rng,
    _base_.cpu_ema_eval_hook,
    _base_.cpu_panels,
]

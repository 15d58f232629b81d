# EMA-evaluated multi-task supervised baseline of the CPU benchmark in the
# papers' regime (tools/benchmark_regime.py arm 'mt_baseline_ema'): the
# multi-task supervised baseline arm (same multi-task stage-1 start,
# labeled batches, optimiser and schedule) with an exponential moving
# average of its weights, decay 0.99 with the BatchNorm statistics averaged
# too, the same average the semi-supervised multi-task arms' teacher is
# (their EMATeacherHook, decay 0.99, update_buffers=True); mmengine's
# EMAHook saves that average as the checkpoint's state_dict, so it is what
# is evaluated. The semi-supervised arms are evaluated with their EMA
# teacher; this arm tells the average's own part from what the unlabeled
# images add, as 'baseline_ema' does for the single-task arms.
_base_ = ('./multitask-sup_deeplabv3plus-retinanet_r18_1xb4-cpu-sup_'
          'synthcityscapes-mt-d-12-48.py')
custom_hooks = [_base_.cpu_ema_eval_hook]

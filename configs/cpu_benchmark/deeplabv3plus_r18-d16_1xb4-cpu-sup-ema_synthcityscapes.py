# EMA-evaluated supervised baseline of the CPU benchmark in the papers'
# regime (issue 17, tools/benchmark_regime.py arm 'baseline_ema'): the
# supervised baseline arm (same stage-1 start, labeled batches, optimiser
# and schedule) with an exponential moving average of its weights, decay
# 0.99 with the BatchNorm statistics averaged too (EMAN), the same average
# the semi-supervised arms' teacher is (configs/_base_/cpu_benchmark.py
# cpu_ema), and that average is what is evaluated: mmengine's EMAHook saves
# it as the checkpoint's state_dict. The semi-supervised arms are evaluated
# with their EMA teacher, which alone can be worth a point over the last
# student on this short schedule; this arm tells that part from what the
# unlabeled images add (docs/cpu_benchmark.md).
_base_ = './deeplabv3plus_r18-d16_1xb4-cpu-sup_synthcityscapes.py'
custom_hooks = [_base_.cpu_ema_eval_hook]

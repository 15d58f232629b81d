# Ablation, not a paper's setting: the Dense FixMatch arm of the CPU
# benchmark with FixMatch's confidence threshold tau 0.95 (Sohn et al.,
# arXiv:2001.07685) instead of Dense FixMatch's 0.5 (table 4). Everything
# else is the Dense FixMatch arm. It measures whether the arm's loss
# against its baseline comes from the pseudo-labels the teacher is unsure
# of (docs/cpu_benchmark.md). Run it with tools/benchmark_regime.py --arms
# dense_fixmatch_tau95; it is not in the default arm list.
_base_ = ['./dense-fixmatch_deeplabv3plus_r18-d16_1xb8-explicit-cpu-'
          'stage2_synthcityscapes.py']

model = dict(semi_train_cfg=dict(pseudo_threshold=0.95))

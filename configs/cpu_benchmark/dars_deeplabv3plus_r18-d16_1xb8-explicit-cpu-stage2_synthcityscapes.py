# Offline DARS rounds 1-2 of the CPU benchmark in the papers' regime (issue
# 17, tools/benchmark_regime.py arms dars_r1 / dars_r2): the DARS CPU demo
# (configs/dars/, DARS arXiv:2107.11279) with the regime's CPU model, data,
# crops and optimiser of configs/_base_/cpu_benchmark.py. Run by
#   python tools/dars_rounds.py THIS_CONFIG --rounds 2 \
#       --round0-checkpoint <stage-1 checkpoint> --work-dir DIR
# Round 0 is the regime's stage 1 (dars.round0_config, its checkpoint passed
# as --round0-checkpoint; sec. 3.1: round 0 trains on the labeled images
# only). Round k pseudo-labels the unlabeled images with round k-1's model
# (DARS thresholds keeping alpha_k of the pixels, flip-averaged logits:
# sec. 3.2 and the authors' code, as in configs/_base_/dars/) and trains
# from round k-1's weights on 4 labeled + 4 pseudo-labeled 128x128 crops
# per step (the regime's labeled batch of 4 and the semi-supervised arms'
# 4 + 4; the paper's 8 + 8 of sec. 4.1 halved as every arm's), each part's
# loss averaged on its own (eq. 2). The views are DARS's (authors' code:
# random scale, rotation +-10, Gaussian blur, flip, crop; the demo's), at
# the regime's scale range 0.5-2.0, widened in round 2 by table 6's betas.
_base_ = [
    '../dars/dars_deeplabv3plus_r18-d8_1xb8-explicit-cpu-100i_'
    'synthcityscapes-8.py', '../_base_/cpu_benchmark.py'
]

# The regime's model (the stage-1 DeepLabv3+ R18 at output stride 16, 64
# decoder channels) as SelfTrainingEncoderDecoder (eq. 2's per-part loss);
# its weights come from round k-1 (load_from, set by tools/dars_rounds.py),
# so no pretrained backbone is loaded.
model = dict(_base_.cpu_segmentor, pretrained=None)
# Data of the regime (tools/benchmark_regime.py passes each run's data root
# and split as --cfg-options, which dars_rounds.py hands to the
# pseudo-labeling and to every round).
train_dataloader = dict(dataset=_base_.cpu_semi_data)
pseudo_label_cfg = _base_.cpu_semi_data
# Evaluation as every arm's: whole 256x128 images, no flip (the stage-1
# config's test pipeline and test_cfg).
val_dataloader = _base_.cpu_eval_data
test_dataloader = val_dataloader
# AdamW 4e-3 of stage 1 and every arm (configs/_base_/cpu_benchmark.py
# says why; the paper's SGD 0.01 assumes tens of thousands of steps), one
# param group (no 10x head lr: the regime's arms have none).
optim_wrapper = dict(_delete_=True, **_base_.cpu_optim_wrapper)
# Each round: cpu_stage2_iters (150) steps on the regime's stage-2 poly
# schedule (4e-3 -> 0 over 150 steps, power 0.9), from round k-1's weights
# with a fresh AdamW state. Not the authors' schedule: they continue one
# poly schedule over (k+1) equal rounds and resume the optimizer state
# (configs/_base_/dars/: continue_poly, resume_optimizer), which here would
# start round 1 at 4e-3 * 0.5^0.9 = 2.1e-3 and round 2 at 1.5e-3 and
# assume a round 0 as long as a round (the regime's stage 1 is 600 steps,
# a round 150). Chosen instead: what every arm of the regime gets from the
# stage-1 checkpoint (the baseline's 150 steps, lr, schedule, fresh
# optimizer), so round 1 differs from the supervised baseline arm only by
# DARS; round 2 repeats that schedule from round 1's weights (each round of
# the authors' is as long as the others), i.e. 300 steps after stage 1.
param_scheduler = _base_.cpu_stage2_param_scheduler
train_cfg = _base_.cpu_stage2_train_cfg
default_hooks = _base_.cpu_stage2_default_hooks
# Table 6 (1/8 split): round 1 alpha 0.2, beta 0; round 2 alpha 0.5,
# beta_min 0.2, beta_max 0.5 (inherited from configs/_base_/dars/ through
# the demo); round 0 = the regime's stage-1 config.
dars = dict(
    round0_config='./deeplabv3plus_r18-d16_1xb4-cpu-sup_synthcityscapes.py',
    continue_poly=False,
    resume_optimizer=False)

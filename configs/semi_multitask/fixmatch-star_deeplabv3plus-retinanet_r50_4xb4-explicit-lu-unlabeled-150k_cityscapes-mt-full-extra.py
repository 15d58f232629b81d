# FixMatch* multi-task, full Cityscapes + train_extra unlabeled (table 4,
# column "+trainextra", explicit sampling, Lu on unlabeled samples only).
# Explicit: 8 labeled + 8 unlabeled per batch (2 + 2 per GPU).
_base_ = '../_base_/semi_multitask/fixmatch-star_explicit_cityscapes-full.py'
model = dict(semi_train_cfg=dict(unsup_on='unlabeled'))

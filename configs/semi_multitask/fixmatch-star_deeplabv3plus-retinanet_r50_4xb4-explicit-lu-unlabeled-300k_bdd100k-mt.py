# FixMatch* multi-task on BDD100K (table 7, explicit sampling, Lu on
# samples not labeled for the task only).
# Explicit: 8 fully labeled + 8 other images per batch.
_base_ = '../_base_/semi_multitask/fixmatch-star_explicit_bdd100k.py'
model = dict(semi_train_cfg=dict(unsup_on='unlabeled'))

# Dense FixMatch multi-task, full Cityscapes + train_extra unlabeled (table 4,
# column "+trainextra", explicit sampling, Lu on all samples).
# Explicit: 8 labeled + 8 unlabeled per batch (2 + 2 per GPU).
_base_ = '../_base_/semi_multitask/dense-fixmatch_explicit_cityscapes-full.py'

# Dense FixMatch multi-task on BDD100K (table 7, explicit sampling, Lu on
# all samples).
# Explicit: 8 fully labeled + 8 other images per batch.
_base_ = '../_base_/semi_multitask/dense-fixmatch_explicit_bdd100k.py'

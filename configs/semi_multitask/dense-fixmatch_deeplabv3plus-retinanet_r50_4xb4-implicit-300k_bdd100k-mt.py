# Dense FixMatch multi-task on BDD100K (table 7, implicit sampling, Lu on
# all samples).
# Implicit: 16 per batch drawn uniformly from all training images.
_base_ = '../_base_/semi_multitask/dense-fixmatch_explicit_bdd100k.py'
train_dataloader = dict(
    sampler=dict(
        _delete_=True, type='ImplicitSemiSampler', shuffle=True))

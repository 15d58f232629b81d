# Dense FixMatch multi-task, full Cityscapes + train_extra unlabeled (table 4,
# column "+trainextra", implicit sampling, Lu on all samples).
# Implicit: 16 per batch (4 per GPU) drawn uniformly from labeled and
# unlabeled images together.
_base_ = '../_base_/semi_multitask/dense-fixmatch_explicit_cityscapes-full.py'
train_dataloader = dict(
    sampler=dict(
        _delete_=True, type='ImplicitSemiSampler', shuffle=True))

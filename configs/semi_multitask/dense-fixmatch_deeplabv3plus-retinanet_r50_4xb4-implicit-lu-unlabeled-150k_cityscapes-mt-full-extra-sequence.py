# Dense FixMatch multi-task, full Cityscapes + train_extra + sequence unlabeled (table 4,
# column "+sequence", implicit sampling, Lu on unlabeled samples only).
# Implicit: 16 per batch (4 per GPU) drawn uniformly from labeled and
# unlabeled images together.
_base_ = '../_base_/semi_multitask/dense-fixmatch_explicit_cityscapes-full.py'
train_dataloader = dict(
    sampler=dict(
        _delete_=True, type='ImplicitSemiSampler', shuffle=True),
    dataset=dict(
        unlabeled=dict(
            _delete_=True,
            type='ConcatDataset',
            datasets=[_base_.train_extra, _base_.sequence])))
model = dict(semi_train_cfg=dict(unsup_on='unlabeled'))

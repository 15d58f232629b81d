# FixMatch* multi-task, full Cityscapes + train_extra + sequence unlabeled (table 4,
# column "+sequence", explicit sampling, Lu on unlabeled samples only).
# Explicit: 8 labeled + 8 unlabeled per batch (2 + 2 per GPU).
_base_ = '../_base_/semi_multitask/fixmatch-star_explicit_cityscapes-full.py'
train_dataloader = dict(
    dataset=dict(
        unlabeled=dict(
            _delete_=True,
            type='ConcatDataset',
            datasets=[_base_.train_extra, _base_.sequence])))
model = dict(semi_train_cfg=dict(unsup_on='unlabeled'))

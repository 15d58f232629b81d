# FixMatch* multi-task on the full Cityscapes train set (multi-task paper
# sec. 4.2, table 4): the Dense FixMatch full-Cityscapes config with the
# FixMatch* views (one shared scale and crop, photometric-only strong view)
# for the labeled and the unlabeled images.
_base_ = './dense-fixmatch_explicit_cityscapes-full.py'
unlabeled_pipeline = _base_.multitask_loading + [_base_.fixmatch_star_views]
train_extra = dict(_base_.train_extra_dataset, pipeline=unlabeled_pipeline)
sequence = dict(_base_.sequence_dataset, pipeline=unlabeled_pipeline)
train_only_loader = dict(
    _base_.train_only_loader,
    dataset=dict(_base_.train_only_loader.dataset,
                 pipeline=unlabeled_pipeline))
train_dataloader = dict(
    dataset=dict(
        labeled=dict(pipeline=unlabeled_pipeline),
        unlabeled=dict(train_extra, _delete_=True)))

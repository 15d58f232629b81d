# Test-only: the tiny implicit-sampling DDP probe (a rank's batch of 2 may
# hold no labeled or no unlabeled sample; find_unused_parameters=False) with
# UniMatch: the model labels itself (no EMA hook), two strong views
# (strong2 = a second draw of the strong branch on the same crop), CutMix
# partners within each rank's batch, feature perturbation on the weak views.
_base_ = './tiny_dense_fixmatch_implicit_probe.py'
model = dict(
    type='UniMatch',
    semi_train_cfg=dict(
        _delete_=True,
        teacher='student',
        unsup_on='unlabeled',
        pseudo_threshold=0.0,
        mask_generator=dict(type='UniMatchCutMixMaskGenerator', prob=1.0),
        partners='independent'),
    semi_test_cfg=dict(predict_on='student'))
labeled_views = dict(
    _base_.train_dataloader.dataset.labeled.pipeline[-1],
    strong2=_base_.train_dataloader.dataset.labeled.pipeline[-1].strong)
unlabeled_views = dict(
    _base_.train_dataloader.dataset.unlabeled.pipeline[-1],
    strong2=_base_.train_dataloader.dataset.unlabeled.pipeline[-1].strong)
train_dataloader = dict(
    dataset=dict(
        labeled=dict(pipeline=_base_.labeled_loading + [labeled_views]),
        unlabeled=dict(pipeline=_base_.unlabeled_loading +
                       [unlabeled_views])))
val_cfg = dict(_delete_=True, type='ValLoop')
custom_hooks = [
    dict(type='RNGStateHook'),
    dict(type='PseudoLabelVisualizationHook', interval=2, max_samples=2),
    dict(type='DumpRankStateHook'),
    dict(type='LabeledCountProbeHook'),
]

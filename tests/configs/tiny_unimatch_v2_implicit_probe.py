# Test-only: the tiny implicit-sampling DDP probe (a rank's batch of 2 may
# hold no labeled or no unlabeled sample; find_unused_parameters=False) with
# UniMatch V2: an EMA teacher (mean start), two strong views, CutMix with
# the reversed batch of each rank, Complementary Dropout on the strong
# views' features.
_base_ = './tiny_unimatch_implicit_probe.py'
model = dict(
    type='UniMatchV2',
    semi_train_cfg=dict(
        _delete_=True,
        teacher='ema',
        unsup_on='unlabeled',
        pseudo_threshold=0.0,
        mask_generator=dict(type='UniMatchCutMixMaskGenerator', prob=1.0),
        feature_perturbation=dict(type='ComplementaryDropout'),
        partners='reversed'),
    semi_test_cfg=dict(predict_on='student'))
custom_hooks = [
    dict(type='RNGStateHook'),
    dict(type='EMATeacherHook', decay=0.996, mean_start=True),
    dict(type='PseudoLabelVisualizationHook', interval=2, max_samples=2),
    dict(type='DumpRankStateHook'),
    dict(type='LabeledCountProbeHook'),
]

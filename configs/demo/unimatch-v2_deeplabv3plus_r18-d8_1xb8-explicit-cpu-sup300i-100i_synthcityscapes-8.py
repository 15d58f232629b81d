# CPU demo, stage 2 of the UniMatch V2 arm: the UniMatch demo's warm-up
# checkpoint, model (DeepLabv3+ R18: the V2 strategy on the demo's model,
# not DINOv2, so that the warm-up weights load and the arms compare like
# with like), data (weak, strong, strong2 views), 4 labeled + 4 unlabeled
# per step, 100 iterations, AdamW lr 1e-3 poly. The method is UniMatch V2
# with the official settings (configs/_base_/models/
# unimatch_v2_dpt_dinov2-s.py): an EMA teacher labels the weak view
# ("conf_thresh: 0.95", all four official yamls), two strong views each
# CutMixed with the reversed batch, Complementary Dropout on the strong
# views' backbone features, loss (Ls + (Ls1 + Ls2) / 2) / 2, teacher
# EMA min(1 - 1 / (t + 1), 0.996). Evaluated with the student (the
# official's best.pth criterion).
_base_ = ('./unimatch_deeplabv3plus_r18-d8_1xb8-explicit-cpu-sup300i-100i_'
          'synthcityscapes-8.py')

model = dict(
    type='UniMatchV2',
    semi_train_cfg=dict(
        _delete_=True,
        teacher='ema',
        unsup_on='unlabeled',
        unsup_weight=1.0,
        pseudo_threshold=0.95,
        mask_generator=dict(
            type='UniMatchCutMixMaskGenerator',
            prob=0.5,
            area_range=(0.02, 0.4),
            ratio_range=(0.3, 1 / 0.3)),
        feature_perturbation=dict(
            type='ComplementaryDropout', p=0.5, pair_prob=0.5),
        partners='reversed',
        stream_weights=dict(sup=1.0, s1=0.5, s2=0.5),
        loss_scale=0.5),
    semi_test_cfg=dict(predict_on='student'))
custom_hooks = [
    dict(type='RNGStateHook'),
    dict(type='EMATeacherHook', decay=0.996, mean_start=True),
    dict(type='PseudoLabelVisualizationHook', interval=50, max_samples=2),
]

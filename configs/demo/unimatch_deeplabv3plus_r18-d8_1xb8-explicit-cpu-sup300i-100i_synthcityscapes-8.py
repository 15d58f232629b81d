# CPU demo, stage 2 of the UniMatch arm: the Dense FixMatch stage-2 demo's
# warm-up checkpoint, model (DeepLabv3+ R18 with its auxiliary head, so
# that the warm-up weights load), data, 4 labeled + 4 unlabeled per step,
# 100 iterations and AdamW lr 1e-3 poly, so it compares like with like with
# the supervised arm (deeplabv3plus_r18-d8_1xb4-cpu-sup300i-100i_
# synthcityscapes-8.py). The method is UniMatch with the official settings
# (configs/_base_/models/unimatch_deeplabv3plus_r101-d16.py): the model
# labels itself (no EMA teacher), two strong views with their own
# photometric ops and CutMix boxes, feature dropout 0.5, loss (Ls + 0.25
# Ls1 + 0.25 Ls2 + 0.5 Lfp) / 2; the threshold of the official Cityscapes
# config ("conf_thresh: 0").
_base_ = ('./dense-fixmatch_deeplabv3plus_r18-d8_1xb8-explicit-same-cpu-'
          'sup300i-100i_synthcityscapes-8.py')

model = dict(
    type='UniMatch',
    semi_train_cfg=dict(
        _delete_=True,
        teacher='student',
        unsup_on='unlabeled',
        unsup_weight=1.0,
        pseudo_threshold=0.0,
        mask_generator=dict(
            type='UniMatchCutMixMaskGenerator',
            prob=0.5,
            area_range=(0.02, 0.4),
            ratio_range=(0.3, 1 / 0.3)),
        feature_perturbation=dict(type='FeatureDropout', p=0.5),
        fp_batching='concat',
        partners='shared',
        stream_weights=dict(sup=1.0, s1=0.25, s2=0.25, fp=0.5),
        loss_scale=0.5),
    semi_test_cfg=dict(predict_on='student'))
# UniMatch views (configs/_base_/datasets/pipelines/unimatch_views.py) at
# the demo's scale and crop; the flip is drawn once, before the views
unimatch_strong_branch = [
    dict(type='ColorJitter', brightness=0.5, contrast=0.5, saturation=0.5,
         hue=0.25, prob=0.8),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.299), color_format='bgr'),
    dict(type='PILGaussianBlur', prob=0.5, sigma_range=(0.1, 2.0)),
    _base_.pack_view,
]
unlabeled_views = dict(
    type='SemiViews',
    weak=[_base_.pack_view],
    strong=unimatch_strong_branch,
    strong2=unimatch_strong_branch,
    crop_size=_base_.crop_size,
    resize=_base_.resize,
    crop_relation='same',
    share_scale=True)
labeled_views = dict(
    unlabeled_views, strong=[_base_.pack_view], strong2=[_base_.pack_view])
train_dataloader = dict(
    dataset=dict(
        labeled=dict(pipeline=_base_.labeled_loading +
                     [_base_.horizontal_flip, labeled_views]),
        unlabeled=dict(pipeline=_base_.unlabeled_loading +
                       [_base_.horizontal_flip, unlabeled_views])))
val_cfg = dict(_delete_=True, type='ValLoop')
custom_hooks = [
    # the torch RNG state in checkpoints: --resume continues exactly
    dict(type='RNGStateHook'),
    dict(type='PseudoLabelVisualizationHook', interval=50, max_samples=2),
]

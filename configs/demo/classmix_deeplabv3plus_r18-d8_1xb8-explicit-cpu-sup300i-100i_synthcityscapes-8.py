# CPU demo, stage 2 of the ClassMix arm: exactly the Dense FixMatch stage-2
# demo (dense-fixmatch_deeplabv3plus_r18-d8_1xb8-explicit-same-cpu-sup300i-
# 100i_synthcityscapes-8.py): the same supervised warm-up checkpoint, DeepLabv3+
# R18 on 128x128 crops, 4 labeled + 4 unlabeled per step, 100 iterations,
# AdamW lr 1e-3 poly, EMA teacher 0.99, so it compares like with like with the
# supervised arm (deeplabv3plus_r18-d8_1xb4-cpu-sup300i-100i_synthcityscapes-
# 8.py). The method is ClassMix: one scale, crop and flip shared by the two
# views (no op inside a branch), the 4 unlabeled images mixed in the model,
# cross-entropy on the argmax of the mixed teacher prediction weighted by the
# fraction of pixels with confidence >= 0.968 (the paper's defaults; may be
# retuned after measuring), a constant unsupervised factor 1 (no ramp:
# the confidence proportion is the ramp), the mixed loss on the unlabeled
# samples only.
_base_ = ('./dense-fixmatch_deeplabv3plus_r18-d8_1xb8-explicit-same-cpu-'
          'sup300i-100i_synthcityscapes-8.py')

model = dict(
    type='MixSemiSegmentor',
    semi_train_cfg=dict(
        _delete_=True,
        unsup_on='unlabeled',
        unsup_weight=1.0,
        mask_generator=dict(type='ClassMixMaskGenerator'),
        consistency_loss='cross_entropy',
        unsup_weighting='confidence_proportion',
        confidence_threshold=0.968,
        extra_augs=None))
# mixing views (configs/_base_/datasets/pipelines/mixing_views.py) at the
# demo's scale and crop; the flip is drawn once, before the views
mix_views = dict(
    type='SemiViews',
    weak=[_base_.pack_view],
    strong=[_base_.pack_view],
    crop_size=_base_.crop_size,
    resize=_base_.resize,
    crop_relation='same',
    share_scale=True)
train_dataloader = dict(
    dataset=dict(
        labeled=dict(pipeline=_base_.labeled_loading +
                     [_base_.horizontal_flip, mix_views]),
        unlabeled=dict(pipeline=_base_.unlabeled_loading +
                       [_base_.horizontal_flip, mix_views])))
custom_hooks = [
    # the torch RNG state in checkpoints: --resume continues exactly
    dict(type='RNGStateHook'),
    dict(type='EMATeacherHook', decay=0.99),
    dict(type='UnsupWeightHook', max_weight=1.0, schedule='constant'),
    dict(type='PseudoLabelVisualizationHook', interval=50, max_samples=2),
]

# Test-only: the tiny implicit-sampling DDP probe (a rank's batch may hold no
# labeled sample; find_unused_parameters=False) with the mixing model:
# ClassMix masks, cross-entropy, confidence-proportion weight, partners
# drawn within each rank's batch (unsup_on='all': both samples of a rank's
# batch of 2 are mixed with each other when they are different images).
_base_ = './tiny_dense_fixmatch_implicit_probe.py'
model = dict(
    type='MixSemiSegmentor',
    semi_train_cfg=dict(
        unsup_on='all',
        mask_generator=dict(type='ClassMixMaskGenerator'),
        consistency_loss='cross_entropy',
        unsup_weighting='confidence_proportion',
        confidence_threshold=0.2))

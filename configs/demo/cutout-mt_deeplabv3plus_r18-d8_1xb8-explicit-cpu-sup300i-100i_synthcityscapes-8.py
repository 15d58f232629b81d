# CPU demo, stage 2 of the Cutout mean-teacher arm: the ClassMix demo (same
# warm-up checkpoint, model, data, 4 + 4 batch, 100 iterations, lr, views and
# hooks) with French et al.'s Cutout: one box of random size (area uniform in
# [0, 1] of the image, the authors' --mask_prop_range=0.0:1.0) and aspect
# ratio inside the image erased from the student's input, with no target
# there but counted in the loss's mean (the authors' code averages over all
# pixels); squared-error consistency weighted by the fraction of the
# teacher's map with confidence >= 0.97 (the paper's defaults; may be
# retuned after measuring).
_base_ = ('./classmix_deeplabv3plus_r18-d8_1xb8-explicit-cpu-sup300i-100i_'
          'synthcityscapes-8.py')
model = dict(
    semi_train_cfg=dict(
        mask_generator=dict(
            _delete_=True, type='CutoutMaskGenerator',
            area_ratio=(0.0, 1.0)),
        consistency_loss='squared_error',
        confidence_threshold=0.97))

# Cutout mean-teacher arm of the CPU benchmark in the papers' regime (issue
# 17): the ClassMix arm (same stage-1 start, model, data, batch, steps,
# views and hooks) with French et al.'s Cutout (arXiv:1906.01916 and the
# authors' --mask_prop_range=0.0:1.0): one box of uniform random area in
# [0, 1] of the image erased from the student's input, squared-error
# consistency weighted by the fraction of pixels with teacher confidence
# >= 0.97.
_base_ = ('./classmix_deeplabv3plus_r18-d16_1xb8-explicit-cpu-stage2_'
          'synthcityscapes.py')
model = dict(
    semi_train_cfg=dict(
        mask_generator=dict(
            _delete_=True, type='CutoutMaskGenerator',
            area_ratio=(0.0, 1.0)),
        consistency_loss='squared_error',
        confidence_threshold=0.97))

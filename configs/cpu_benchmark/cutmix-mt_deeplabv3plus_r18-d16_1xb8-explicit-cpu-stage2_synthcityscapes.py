# CutMix mean-teacher arm of the CPU benchmark in the papers' regime (issue
# 17): the ClassMix arm (same stage-1 start, model, data, batch, steps,
# views and hooks) with French et al.'s CutMix (arXiv:1906.01916, sec. 3.3
# and the authors' code): one box of half the image area, squared-error
# consistency summed over classes, weighted by the fraction of pixels with
# teacher confidence >= 0.97.
_base_ = ('./classmix_deeplabv3plus_r18-d16_1xb8-explicit-cpu-stage2_'
          'synthcityscapes.py')
model = dict(
    semi_train_cfg=dict(
        mask_generator=dict(
            _delete_=True,
            type='CutMixMaskGenerator',
            num_boxes=1,
            area_ratio=0.5),
        consistency_loss='squared_error',
        confidence_threshold=0.97))

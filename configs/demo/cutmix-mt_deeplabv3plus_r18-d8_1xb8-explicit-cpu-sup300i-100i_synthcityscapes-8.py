# CPU demo, stage 2 of the CutMix mean-teacher arm: the ClassMix demo (same
# warm-up checkpoint, model, data, 4 + 4 batch, 100 iterations, lr, views and
# hooks) with French et al.'s CutMix: one box of half the image area (random
# aspect ratio and position, inside the image), squared-error consistency
# summed over classes, weighted by the fraction of pixels with teacher
# confidence >= 0.97 (the paper's defaults; may be retuned after measuring).
_base_ = ('./classmix_deeplabv3plus_r18-d8_1xb8-explicit-cpu-sup300i-100i_'
          'synthcityscapes-8.py')
model = dict(
    semi_train_cfg=dict(
        mask_generator=dict(
            _delete_=True,
            type='CutMixMaskGenerator',
            num_boxes=1,
            area_ratio=0.5),
        consistency_loss='squared_error',
        confidence_threshold=0.97))

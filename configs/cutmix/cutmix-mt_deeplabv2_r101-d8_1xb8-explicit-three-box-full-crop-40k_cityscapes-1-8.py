# CutMix mean teacher (French et al. D.3), DeepLab-v2 R101-D8, Cityscapes 372
# labeled (regime 1-8), split 0, full-size 1024x512 crops with a three-box
# mask: three boxes of 1/6 of the image area each (random aspect ratio and
# position, inside the image), combined by XOR as the paper (the paper's
# 60.41 % row). Otherwise as the full-crop one-box config.
_base_ = ('./cutmix-mt_deeplabv2_r101-d8_1xb8-explicit-full-crop-40k_'
          'cityscapes-1-8.py')
model = dict(
    semi_train_cfg=dict(
        mask_generator=dict(
            type='CutMixMaskGenerator', num_boxes=3, area_ratio=1 / 6)))

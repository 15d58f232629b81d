# ClassMix table 3 "Extra augmentations" row: the 1/8 config plus colour
# jitter and Gaussian blur applied to the mixed batch on the device (kornia),
# after ClassMix. Magnitudes from ClassMix's public code (the paper gives
# none): kornia ColorJitter with brightness = contrast = saturation = hue =
# 0.25 applied with probability 0.8; Gaussian blur with probability 0.5,
# sigma 0.15-1.15, kernel about 0.1 of the image height rounded to odd (51
# at 512x1024). Choice: the public code draws each on/off decision once per
# batch; kornia's `p` decides per image.
_base_ = './classmix_deeplabv2_r101-d8_1xb4-explicit-40k_cityscapes-1-8.py'
model = dict(
    semi_train_cfg=dict(extra_augs=[
        dict(
            type='ColorJiggle',
            brightness=0.25,
            contrast=0.25,
            saturation=0.25,
            hue=0.25,
            p=0.8),
        dict(
            type='RandomGaussianBlur',
            kernel_size=(51, 51),
            sigma=(0.15, 1.15),
            p=0.5),
    ]))

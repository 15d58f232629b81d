# Building blocks shared by the two-view pipelines (Dense FixMatch and
# FixMatch*) and the supervised baseline. Values follow appendix A (table 10)
# of the multi-task invariant/equivariant SSL paper. Configs use
# default_scope='mmseg': mmdet transforms carry the 'mmdet.' prefix, mmssl
# transforms (registered into mmseg) none.
#
# Overriding from a dataset config: values here are copied into the
# dicts below when THIS file is parsed, so redefining e.g. `crop_size` in a
# child does not reach them; rebuild what you use instead, e.g.
#   views = dict(_base_.semi_views_unlabeled, crop_size=(512, 512),
#                resize=dict(_base_.random_resize, scale=(2048, 512)))

crop_size = (800, 800)  # (h, w)
img_scale = (2048, 1024)  # (w, h) that ratio_range multiplies (Cityscapes)
ratio_range = (0.5, 2.0)

# Random rescale of the ORIGINAL image by 0.5-2.0. ExactResize = mmdet Resize
# (records homography_matrix; mmcv/mmseg Resize do not) with labels resized
# by centre-sampled nearest, aligned with the image at any scale.
random_resize = dict(
    type='RandomResize',
    scale=img_scale,
    ratio_range=ratio_range,
    keep_ratio=True,
    resize_type='ExactResize')

# homography_matrix (original -> view) and is_labeled must reach the model.
view_meta_keys = ('img_path', 'seg_map_path', 'ori_shape', 'img_shape',
                  'pad_shape', 'scale_factor', 'flip', 'flip_direction',
                  'reduce_zero_label', 'homography_matrix', 'is_labeled')
pack_view = dict(type='PackSegInputs', meta_keys=view_meta_keys)

horizontal_flip = dict(
    type='mmdet.RandomFlip', prob=0.5, direction='horizontal')

# RandAugment ops (one list per op, as mmdet.RandAugment expects).
# mmdet magnitudes: colour factors 1.0 = identity; Solarize threshold on
# 0-255 (paper 0.1-1 of the range -> 25.6-256); Posterize keeps
# ceil(mag) bits (3.1-8.0 -> 4-8 bits, about uniform).
photometric_ops = [
    [dict(type='mmdet.AutoContrast')],
    [dict(type='mmdet.Equalize')],
    [dict(type='mmdet.Invert')],
    [dict(type='mmdet.Solarize', min_mag=25.6, max_mag=256.0)],
    [dict(type='mmdet.Posterize', min_mag=3.1, max_mag=8.0)],
    [dict(type='mmdet.Color', min_mag=0.1, max_mag=1.9)],  # saturation
    [dict(type='mmdet.Contrast', min_mag=0.1, max_mag=1.9)],
    [dict(type='mmdet.Brightness', min_mag=0.1, max_mag=1.9)],
    [dict(type='mmdet.Sharpness', min_mag=0.1, max_mag=1.9)],
]
# Geometric ops: mmssl Exact* = mmdet ops recording pixel-exact homographies
# with unrounded magnitudes (see mmssl/datasets/transforms/exact_geometric.py)
# Shear in degrees, translation as a fraction of the side, rotation in
# degrees; the sign is random (reversal_prob=0.5).
geometric_ops = [
    [dict(type='ExactShearX', min_mag=0.0, max_mag=17.0)],
    [dict(type='ExactShearY', min_mag=0.0, max_mag=17.0)],
    [dict(type='ExactTranslateX', min_mag=0.0, max_mag=0.15)],
    [dict(type='ExactTranslateY', min_mag=0.0, max_mag=0.15)],
    [dict(type='ExactRotate', min_mag=0.0, max_mag=30.0)],
    [dict(type='mmdet.RandomFlip', prob=1.0, direction='horizontal')],
]

# 10-30 % of the area; labels are kept (erase_seg=False): see Cutout.
cutout = dict(type='Cutout', area_range=(0.1, 0.3), erase_seg=False)

# Supervised baseline augmentation, the same distribution as the weak view of
# Dense FixMatch: random rescale 0.5-2.0, crop, horizontal flip. mmdet
# transforms, so homography_matrix is recorded as in the two-view pipelines.
supervised_aug = [
    random_resize,
    # NOTE mmdet.RandomCrop takes (w, h); crop_size here is (h, w)
    dict(
        type='mmdet.RandomCrop',
        crop_size=(crop_size[1], crop_size[0]),
        allow_negative_crop=True),
    horizontal_flip,
    pack_view,
]

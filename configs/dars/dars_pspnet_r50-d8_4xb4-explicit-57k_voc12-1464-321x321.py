# DARS round k >= 1, PSPNet-50, Pascal VOC 2012: the 1464 train images
# labeled, the SBD aug set minus them (9118 images) pseudo-labeled
# (tools/make_splits.py regime 1464), crop 321 (sec. 4.1, table 3). 50
# epochs of the unlabeled set per round: 50 * 9118 / 8 = 56,987.5 -> 56,988
# iterations. Where the paper is silent, the authors' code: config/voc2012/
# train_psp50_voc_split1464_crop321_round{0,1,2}.yaml (random scale 0.5-1.5
# of the original image, round 2 0.5-2.0: beta_min 0, beta_max 1/3;
# base_size 400, test 321) and gen_pseudo_label_psp50_voc_split1464_crop321_
# for_round{1,2}.yaml (labeling_ratio 0.4, 0.5).
_base_ = ['./dars_pspnet_r50-d8_4xb4-explicit-65k_cityscapes-1-8-361x361.py']
dataset_type = 'SemiPascalVOCDataset'
data_root = 'data/VOCdevkit/VOC2012/'
num_classes = 21
crop_size = (321, 321)
# VOC images are at most 500 pixels on their long side (almost all exactly
# 500), so RandomResize within (500 r, 500 r) scales the original image by r
# as the authors' RandScale does
img_scale = (500, 500)
scale_range = (0.5, 1.5)
# base_size 400: the long side resized to 400 for pseudo-labeling and test
test_scale = (400, 400)
labeled_split = 'splits/1464/split0/labeled.txt'
unlabeled_split = 'splits/1464/split0/unlabeled.txt'
img_prefix = 'JPEGImages'
seg_prefix = 'SegmentationClassAug'
labeled_loading = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations', num_classes=num_classes),
]
train_aug = [
    dict(type='RandomResize', scale=img_scale, ratio_range=scale_range,
         keep_ratio=True)
] + _base_.train_aug_before_crop[1:] + [
    dict(type='RandomCrop', crop_size=crop_size), _base_.pack
]
labeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file=labeled_split,
    data_prefix=dict(img_path=img_prefix, seg_map_path='SegmentationClass'),
    pipeline=labeled_loading + train_aug)
pseudo_labeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file=unlabeled_split,
    data_prefix=dict(
        img_path=img_prefix, seg_map_path='PSEUDO_LABELS/' + seg_prefix),
    pipeline=labeled_loading + train_aug + _base_.mark_pseudo)
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='SemiDataset',
        labeled=labeled_dataset,
        unlabeled=pseudo_labeled_dataset))
test_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='Resize', scale=test_scale, keep_ratio=True),
    dict(type='LoadCheckedAnnotations', num_classes=num_classes),
    dict(type='PackSegInputs'),
]
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        ann_file='ImageSets/Segmentation/val.txt',
        data_prefix=dict(
            img_path=img_prefix, seg_map_path='SegmentationClass'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
pseudo_label_cfg = dict(
    labeled=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        ann_file=labeled_split,
        data_prefix=dict(
            img_path=img_prefix, seg_map_path='SegmentationClass')),
    unlabeled=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        ann_file=unlabeled_split,
        data_prefix=dict(img_path=img_prefix)),
    seg_map_path=seg_prefix,
    policy=dict(alpha=0.4))  # round 1's (tools/dars_rounds.py: each round's)
max_iters = 56988
# Sliding window 321, stride 214 (ceil(2/3 321)); an image smaller than the
# crop is padded to it with the mean (0 after normalisation; the authors'
# scale_process pads with the mean too, centred instead of bottom/right).
model = dict(
    data_preprocessor=dict(size=crop_size, test_cfg=dict(size=crop_size)),
    decode_head=dict(num_classes=num_classes),
    auxiliary_head=dict(num_classes=num_classes),
    test_cfg=dict(crop_size=crop_size, stride=(214, 214)))
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters))
dars = dict(
    round0_config='./pspnet_r50-d8_4xb4-5k_voc12-1464-321x321.py',
    rounds=[
        dict(alpha=0.4, beta_min=0.0, beta_max=0.0),
        dict(alpha=0.5, beta_min=0.0, beta_max=1 / 3),
    ],
    scale_range=scale_range)

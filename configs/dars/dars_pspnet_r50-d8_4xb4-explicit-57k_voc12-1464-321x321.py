# DARS round k >= 1, PSPNet-50, Pascal VOC 2012: the 1464 train images
# labeled, the SBD aug set minus them (9118 images) pseudo-labeled
# (tools/make_splits.py regime 1464), crop 321 (table 3). 50 epochs of the
# unlabeled set per round: 50 * 9118 / 8 = 56,987.5 -> 56,988 iterations.
# Images rescaled 0.5-2.0 from (2048, 512) as mmseg's VOC configs; whole-
# image test.
_base_ = ['./dars_pspnet_r50-d8_4xb4-explicit-65k_cityscapes-1-8-361x361.py']
dataset_type = 'SemiPascalVOCDataset'
data_root = 'data/VOCdevkit/VOC2012/'
num_classes = 21
crop_size = (321, 321)
img_scale = (2048, 512)
labeled_split = 'splits/1464/split0/labeled.txt'
unlabeled_split = 'splits/1464/split0/unlabeled.txt'
img_prefix = 'JPEGImages'
seg_prefix = 'SegmentationClassAug'
labeled_loading = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations', num_classes=num_classes),
]
train_aug = [
    dict(type='RandomResize', scale=img_scale,
         ratio_range=_base_.scale_range, keep_ratio=True)
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
    pipeline=labeled_loading + train_aug)
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='SemiDataset',
        labeled=labeled_dataset,
        unlabeled=pseudo_labeled_dataset))
test_pipeline = labeled_loading + [dict(type='PackSegInputs')]
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
    seg_map_path=seg_prefix)
max_iters = 56988
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=num_classes),
    auxiliary_head=dict(num_classes=num_classes),
    test_cfg=dict(_delete_=True, mode='whole'))
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters))
dars = dict(round0_config='./pspnet_r50-d8_4xb4-57k_voc12-1464-321x321.py')

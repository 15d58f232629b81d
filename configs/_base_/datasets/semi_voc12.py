# Pascal VOC 2012 for semi-supervised training: labeled images from the
# original train set (SegmentationClass), unlabeled images from the SBD aug
# set (tools/make_splits.py). Crops 512x512 of images rescaled 0.5-2.0 from
# (2048, 512) as in the mmseg VOC configs. 2 + 2 per GPU, 8 + 8 on 4 GPUs.
_base_ = ['./pipelines/dense_fixmatch_views.py']

dataset_type = 'SemiPascalVOCDataset'
data_root = 'data/VOCdevkit/VOC2012/'
num_classes = 21
crop_size = (512, 512)
random_resize = dict(_base_.random_resize, scale=(2048, 512))

labeled_loading = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations', num_classes=num_classes),
]
unlabeled_loading = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadEmptySegMap'),
]
semi_views_labeled = dict(
    _base_.semi_views_labeled, crop_size=crop_size, resize=random_resize)
semi_views_unlabeled = dict(
    _base_.semi_views_unlabeled, crop_size=crop_size, resize=random_resize)
labeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='splits/92/split0/labeled.txt',
    data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClass'),
    pipeline=labeled_loading + [semi_views_labeled])
unlabeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='splits/92/split0/unlabeled.txt',
    data_prefix=dict(img_path='JPEGImages'),
    pipeline=unlabeled_loading + [semi_views_unlabeled])
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='ExplicitSemiSampler', batch_size=4, num_labeled=2),
    dataset=dict(
        type='SemiDataset',
        labeled=labeled_dataset,
        unlabeled=unlabeled_dataset))

test_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations', num_classes=num_classes),
    dict(type='PackSegInputs'),
]
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='ImageSets/Segmentation/val.txt',
        data_prefix=dict(
            img_path='JPEGImages', seg_map_path='SegmentationClass'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator

# Pascal VOC 2012 for UniMatch (LiheYoung/UniMatch configs/pascal.yaml,
# dataset/semi.py): labeled images from the original train set
# (SegmentationClass), unlabeled from the SBD aug set minus those
# (tools/make_splits.py; the official lists are splits/pascal/<n>/*.txt).
# "crop_size: 321" (classic splits); resize(img, mask, (0.5, 2.0)): the long
# side becomes U(0.5, 2.0) x the image's long side; VOC images have a long
# side of 500, so RandomResize(scale=(500, 500), ratio_range=(0.5, 2.0),
# keep_ratio=True) draws the same sizes. "batch_size: 2 # per GPU x 4 GPUs":
# 2 labeled + 2 unlabeled per GPU (the official's second unlabeled batch,
# the mixing partners, is replaced by the other unlabeled image of the
# batch, see docs/unimatch.md). Evaluation on the whole image ('original').
_base_ = ['./pipelines/unimatch_views.py']

dataset_type = 'SemiPascalVOCDataset'
data_root = 'data/VOCdevkit/VOC2012/'
num_classes = 21
crop_size = (321, 321)
random_resize = dict(_base_.random_resize, scale=(500, 500))

labeled_loading = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations', num_classes=num_classes),
    _base_.shared_flip,
]
unlabeled_loading = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadEmptySegMap'),
    _base_.shared_flip,
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

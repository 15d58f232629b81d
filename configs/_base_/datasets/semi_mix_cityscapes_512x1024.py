# Cityscapes for ClassMix (sec. 4.1): every image resized to 512x1024 (h x w)
# with no random crop, scale or flip, labeled and unlabeled alike (as Hung et
# al.); both views identical (mixing_views.py). 2 labeled + 2 unlabeled per
# batch on one GPU (the mixing partner must be in the same process's batch).
# Evaluation: the image resized to 1024x512, the prediction upsampled to the
# full-resolution labels (mmseg's protocol; the papers' code compares with
# labels downsampled to 512x1024). The split files come from
# tools/make_splits.py (`<data_root>/splits/<regime>/split<k>/`).
_base_ = ['./pipelines/mixing_views.py']

dataset_type = 'SemiCityscapesDataset'
data_root = 'data/cityscapes/'
num_classes = 19
crop_size = (512, 1024)  # (h, w): the whole resized image
resize = dict(type='ExactResize', scale=(1024, 512), keep_ratio=True)

labeled_loading = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations', num_classes=num_classes),
]
unlabeled_loading = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadEmptySegMap'),
]
mix_views_labeled = dict(
    _base_.semi_views_labeled, crop_size=crop_size, resize=resize)
mix_views_unlabeled = dict(mix_views_labeled)
labeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='splits/1-8/split0/labeled.txt',
    data_prefix=dict(
        img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
    pipeline=labeled_loading + [mix_views_labeled])
unlabeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='splits/1-8/split0/unlabeled.txt',
    data_prefix=dict(img_path='leftImg8bit/train'),
    pipeline=unlabeled_loading + [mix_views_unlabeled])
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
    dict(type='Resize', scale=(1024, 512), keep_ratio=True),
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
        data_prefix=dict(
            img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator

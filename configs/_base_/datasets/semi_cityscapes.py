# Cityscapes for semi-supervised training: a labeled split and an unlabeled
# split (tools/make_splits.py, `<data_root>/splits/<regime>/split<k>/`), each
# sample loaded once and turned into a weak and a strong view (SemiViews).
# Per GPU: 2 labeled + 2 unlabeled; on 4 GPUs 8 + 8 as in the papers.
_base_ = ['./pipelines/dense_fixmatch_views.py']

dataset_type = 'SemiCityscapesDataset'
data_root = 'data/cityscapes/'
num_classes = 19

labeled_loading = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations', num_classes=num_classes),
]
unlabeled_loading = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadEmptySegMap'),
]
labeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='splits/1-32/split0/labeled.txt',
    data_prefix=dict(
        img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
    pipeline=labeled_loading + [_base_.semi_views_labeled])
unlabeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='splits/1-32/split0/unlabeled.txt',
    data_prefix=dict(img_path='leftImg8bit/train'),
    pipeline=unlabeled_loading + [_base_.semi_views_unlabeled])
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='ExplicitSemiSampler', batch_size=4, num_labeled=2),
    dataset=dict(
        type='SemiDataset',
        labeled=labeled_dataset,
        unlabeled=unlabeled_dataset))

# Full-resolution, single-scale, single-pass evaluation (Dense FixMatch, 4).
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
        data_prefix=dict(
            img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator

# Cityscapes for UniMatch (LiheYoung/UniMatch configs/cityscapes.yaml,
# dataset/semi.py): "crop_size: 801"; the long side rescaled to U(0.5, 2.0)
# x 2048 (RandomResize(scale=(2048, 1024), ratio_range=(0.5, 2.0))), one
# crop and flip shared by the three views; "batch_size: 2 # per GPU x 4
# GPUs": 2 labeled + 2 unlabeled per GPU. Splits: tools/make_splits.py
# (official lists: splits/cityscapes/1_16 ... 1_2). Evaluation:
# 'sliding_window' with 801x801 windows at a stride of int(801 * 2 / 3) =
# 534 (supervised.py evaluate); the official sums softmax probabilities
# over windows, mmseg's slide mode averages logits.
_base_ = ['./pipelines/unimatch_views.py']

dataset_type = 'SemiCityscapesDataset'
data_root = 'data/cityscapes/'
num_classes = 19
crop_size = (801, 801)
random_resize = dict(_base_.random_resize, scale=(2048, 1024))

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
    ann_file='splits/1-16/split0/labeled.txt',
    data_prefix=dict(
        img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
    pipeline=labeled_loading + [semi_views_labeled])
unlabeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='splits/1-16/split0/unlabeled.txt',
    data_prefix=dict(img_path='leftImg8bit/train'),
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
        data_prefix=dict(
            img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator

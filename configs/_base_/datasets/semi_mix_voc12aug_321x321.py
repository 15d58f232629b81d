# Pascal VOC 2012 + SBD (the 10,582-image aug set) for ClassMix and French et
# al.: labeled images drawn from the aug set with SegmentationClassAug labels
# (tools/make_splits.py regimes aug-1-100 .. aug-1-4, aug-all), the same crop
# for teacher and student (mixing_views.py). Augmentation (Hung et al., used
# by both papers): random scale of the original image by a factor in
# 0.5..1.5 in steps of 0.1 (French et al. D.4.1 "rounded to the nearest 0.1";
# ClassMix says 0.5-1.5; both public codes draw 0.5 + randint(0, 11) / 10,
# i.e. up to 1.6: we keep the stated 0.5-1.5), random horizontal flip (drawn
# once, before SemiViews), 321x321 crops; a smaller image is cropped to its
# size and padded in the data preprocessor (255 = ignored). 10 labeled + 10
# unlabeled per batch on one GPU. Evaluation on val (1449) at the original
# size.
_base_ = ['./pipelines/mixing_views.py']

dataset_type = 'SemiPascalVOCDataset'
data_root = 'data/VOCdevkit/VOC2012/'
num_classes = 21
crop_size = (321, 321)
# RandomChoice over exact relative rescales (mmdet Resize scale_factor),
# each recording homography_matrix.
scale_factors = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5)
random_rescale = dict(
    type='RandomChoice',
    transforms=[[dict(type='ExactResize', scale_factor=s, keep_ratio=True)]
                for s in scale_factors])

labeled_loading = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations', num_classes=num_classes),
]
unlabeled_loading = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadEmptySegMap'),
]
mix_views_labeled = dict(
    _base_.semi_views_labeled, crop_size=crop_size, resize=random_rescale)
mix_views_unlabeled = dict(mix_views_labeled)
labeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='splits/aug-1-8/split0/labeled.txt',
    data_prefix=dict(
        img_path='JPEGImages', seg_map_path='SegmentationClassAug'),
    pipeline=labeled_loading + [_base_.shared_flip, mix_views_labeled])
unlabeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='splits/aug-1-8/split0/unlabeled.txt',
    data_prefix=dict(img_path='JPEGImages'),
    pipeline=unlabeled_loading + [_base_.shared_flip, mix_views_unlabeled])
train_dataloader = dict(
    batch_size=20,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='ExplicitSemiSampler', batch_size=20, num_labeled=10),
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

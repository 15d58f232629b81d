# COCO with 81 classes (background + 80 things) for UniMatch V2
# (LiheYoung/UniMatch-V2). Official settings:
#   configs/coco.yaml:4  nclass: 81
#   configs/coco.yaml:5  crop_size: 518
#   configs/coco.yaml:9  batch_size: 4 # per GPU x 4 GPUs
#   configs/coco.yaml:15 ignore_index: 255
#   unimatch_v2.py:113-120 one labeled and one unlabeled loader, each
#       batch_size images per GPU -> 4 labeled + 4 unlabeled per GPU
#       (ExplicitSemiSampler(batch_size=8, num_labeled=4)); the CutMix
#       partner is the batch flipped (unimatch_v2.py:175-176), drawn in the
#       model
#   dataset/semi.py:44, transform.py:43-56 resize(img, mask, (0.5, 2.0)):
#       long side -> randint(int(0.5 L), int(2.0 L)) of the image's own long
#       side L (RandomLongSideRescale; most COCO images have L = 640)
#   dataset/semi.py:46-47 one crop and flip shared by the three views
#   dataset/semi.py:54-63 strong views: the same ops as UniMatch V1
#       (ColorJitter p 0.8, grayscale p 0.2, blur p 0.5; unimatch_views.py)
#   unimatch_v2.py:239-241, supervised.py:70-81 evaluation 'original' with
#       multiplier 14: the image resized to the nearest multiple of 14,
#       logits resized back (ResizeToNearestMultiple; the model must use
#       align_corners=True as the official)
# Data (README.md "Datasets"): train2017 / val2017 images and the official
# preprocessed masks, one flat masks/ folder for both (split lines
# 'train2017/<id>.jpg masks/<id>.png'): 0 = background, 1..80 the things,
# 255 ignored (SemiCOCO81Dataset, mmssl/datasets/coco81.py).
# Splits: tools/make_splits.py --dataset coco (official lists:
# splits/coco/1_<k>; val: all 5000 val2017 images, splits/coco/val.txt).
_base_ = ['./pipelines/unimatch_views.py']

dataset_type = 'SemiCOCO81Dataset'
data_root = 'data/coco/'
num_classes = 81
crop_size = (518, 518)
random_resize = dict(type='RandomLongSideRescale', ratio_range=(0.5, 2.0))

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
    ann_file='splits/1-512/split0/labeled.txt',
    data_prefix=dict(img_path='train2017', seg_map_path='masks'),
    pipeline=labeled_loading + [semi_views_labeled])
unlabeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='splits/1-512/split0/unlabeled.txt',
    data_prefix=dict(img_path='train2017'),
    pipeline=unlabeled_loading + [semi_views_unlabeled])
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='ExplicitSemiSampler', batch_size=8, num_labeled=4),
    dataset=dict(
        type='SemiDataset',
        labeled=labeled_dataset,
        unlabeled=unlabeled_dataset))

test_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='ResizeToNearestMultiple', size_divisor=14),
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
        data_prefix=dict(img_path='val2017', seg_map_path='masks'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator

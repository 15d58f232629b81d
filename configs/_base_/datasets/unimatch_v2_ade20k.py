# ADE20K (ADEChallengeData2016, 150 classes) for UniMatch V2
# (LiheYoung/UniMatch-V2). Official settings:
#   configs/ade20k.yaml:4  nclass: 150
#   configs/ade20k.yaml:5  crop_size: 518
#   configs/ade20k.yaml:9  batch_size: 2 # per GPU x 4 GPUs
#   configs/ade20k.yaml:15 ignore_index: 255
#   configs/ade20k.yaml:21 lock_backbone: True -- a model setting (frozen
#       encoder, model/semseg/dpt.py lock_backbone), not part of this file
#   unimatch_v2.py:113-120 one labeled and one unlabeled loader, each
#       batch_size images per GPU -> 2 labeled + 2 unlabeled per GPU
#       (ExplicitSemiSampler(batch_size=4, num_labeled=2)); the CutMix
#       partner is the batch flipped (unimatch_v2.py:175-176), drawn in the
#       model
#   dataset/semi.py:44, transform.py:43-56 resize(img, mask, (0.5, 2.0)):
#       long side -> randint(int(0.5 L), int(2.0 L)) of the image's own long
#       side L, which varies in ADE20K (RandomLongSideRescale)
#   dataset/semi.py:46-47 one crop and flip shared by the three views
#   dataset/semi.py:54-63 strong views: the same ops as UniMatch V1
#       (ColorJitter p 0.8, grayscale p 0.2, blur p 0.5; unimatch_views.py)
#   unimatch_v2.py:239-241, supervised.py:70-81 evaluation 'original' with
#       multiplier 14: the image resized to the nearest multiple of 14,
#       logits resized back (ResizeToNearestMultiple; the model must use
#       align_corners=True as the official)
# Data (README.md "Datasets"): ADEChallengeData2016 images/{training,
# validation} with the official preprocessed annotations in
# annotations/{training,validation}: 0..149, 255 ignored, read as they are
# (dataset/semi.py:38), hence reduce_zero_label=False. With the raw
# ADEChallengeData2016 annotations (0 = other, 1..150) set
# reduce_zero_label=True in all three datasets instead: read with False
# they would be shifted by one class, and the label check only catches
# the images that contain class 150.
# Splits: tools/make_splits.py --dataset ade20k (official lists:
# splits/ade20k/1_<k>; val: all 2000 validation images, splits/ade20k/
# val.txt).
_base_ = ['./pipelines/unimatch_views.py']

dataset_type = 'SemiADE20KDataset'
data_root = 'data/ade/ADEChallengeData2016/'
num_classes = 150
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
    ann_file='splits/1-64/split0/labeled.txt',
    reduce_zero_label=False,
    data_prefix=dict(
        img_path='images/training', seg_map_path='annotations/training'),
    pipeline=labeled_loading + [semi_views_labeled])
unlabeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='splits/1-64/split0/unlabeled.txt',
    reduce_zero_label=False,
    data_prefix=dict(img_path='images/training'),
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
        reduce_zero_label=False,
        data_prefix=dict(
            img_path='images/validation',
            seg_map_path='annotations/validation'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator

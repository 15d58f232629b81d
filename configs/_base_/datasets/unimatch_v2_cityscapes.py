# Cityscapes for UniMatch V2 (LiheYoung/UniMatch-V2). Official settings:
#   configs/cityscapes.yaml:4  nclass: 19
#   configs/cityscapes.yaml:5  crop_size: 798
#   configs/cityscapes.yaml:9  batch_size: 2 # per GPU x 4 GPUs
#   unimatch_v2.py:113-120 one labeled and one unlabeled loader, each
#       batch_size images per GPU -> 2 labeled + 2 unlabeled per GPU
#       (ExplicitSemiSampler(batch_size=4, num_labeled=2)); the CutMix
#       partner is the batch flipped (unimatch_v2.py:175-176), drawn in the
#       model
#   dataset/semi.py:44, transform.py:43-56 resize(img, mask, (0.5, 2.0)):
#       long side -> randint(int(0.5 L), int(2.0 L)) of the image's own long
#       side L = 2048 (RandomLongSideRescale)
#   dataset/semi.py:46-47 one crop and flip shared by the three views
#   dataset/semi.py:54-63 strong views: the same ops as UniMatch V1
#       (ColorJitter p 0.8, grayscale p 0.2, blur p 0.5; unimatch_views.py)
#   unimatch_v2.py:239, supervised.py:47-63 evaluation 'sliding_window' on
#       the whole 1024x2048 image: 798x798 windows at a stride of
#       int(798 * 2 / 3) = 532. That is the model's test_cfg
#       (mode='slide', crop_size=(798, 798), stride=(532, 532)); the
#       official sums softmax probabilities over windows, mmseg's slide
#       mode averages logits. No resize here (the multiplier applies to
#       'original' only).
#   configs/cityscapes.yaml:12-17 OHEM loss (thresh 0.7, min_kept 200000):
#       a model setting.
# Splits: tools/make_splits.py (official lists: splits/cityscapes/1_<k>).
_base_ = ['./pipelines/unimatch_views.py']

dataset_type = 'SemiCityscapesDataset'
data_root = 'data/cityscapes/'
num_classes = 19
crop_size = (798, 798)
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

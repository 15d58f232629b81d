# BDD100K for multi-task learning: the 100K detection labels (10 classes)
# and the 10K semantic masks (19 classes) merged into one training set by
# `python tools/convert_bdd100k.py data/bdd100k` (drops the 10K-train images
# that are 100K-val images). The merged val has a detection subset (100K
# val) and a segmentation subset (10K val); MultiTaskMetric evaluates each
# sample with the metric of the task it is labeled for. Dataset and
# evaluator only: model configs add the augmentation / views and packer.
dataset_type = 'BDD100KMultiTaskDataset'
data_root = 'data/bdd100k/'
num_classes = 19

multitask_loading = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadMultiTaskAnnotations', num_classes=num_classes),
]
train_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='multitask/train.json',
    data_prefix=dict(img_path='images', seg_map_path='labels/sem_seg/masks'),
    pipeline=multitask_loading)

test_pipeline = multitask_loading + [dict(type='PackMultiTaskInputs')]
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='multitask/val.json',
        data_prefix=dict(
            img_path='images', seg_map_path='labels/sem_seg/masks'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# Detection ground truth from the detection subset's JSON (same image ids).
val_evaluator = dict(
    type='MultiTaskMetric',
    det_metric=dict(
        type='CocoMetric',
        metric='bbox',
        ann_file=data_root + 'multitask/val_det.json'))
test_evaluator = val_evaluator

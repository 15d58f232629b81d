# Cityscapes for multi-task (segmentation + detection) learning: images,
# 19-class label maps and boxes of the 8 thing classes (boxes from the
# instance maps: `python tools/convert_cityscapes_boxes.py data/cityscapes`),
# labeled per task by split files (`python tools/make_splits.py --dataset
# cityscapes --multitask`, settings (a)-(e) of figure 1). Dataset and
# evaluator only: model configs add the augmentation / views and packer.
dataset_type = 'CityscapesMultiTaskDataset'
data_root = 'data/cityscapes/'
num_classes = 19
regime = 'a-93'  # <setting>-<seg size>[-<det size>], see multitask_splits.py

# Per-task loading: label map or an empty map (254) and boxes (may be none).
multitask_loading = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadMultiTaskAnnotations', num_classes=num_classes),
]
train_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='annotations/multitask_gtFine_train.json',
    data_prefix=dict(
        img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
    seg_split=f'splits/multitask/{regime}/split0/seg_labeled.txt',
    det_split=f'splits/multitask/{regime}/split0/det_labeled.txt',
    pipeline=multitask_loading)

# Full-resolution single-pass evaluation of both tasks; the combined metric
# reports multitask/mIoU, multitask/bbox_mAP and multitask/gmean (the paper's
# checkpoint selection: save_best='multitask/gmean').
test_pipeline = multitask_loading + [dict(type='PackMultiTaskInputs')]
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/multitask_gtFine_val.json',
        data_prefix=dict(
            img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(
    type='MultiTaskMetric',
    det_metric=dict(
        type='CocoMetric',
        metric='bbox',
        ann_file=data_root + 'annotations/multitask_gtFine_val.json'))
test_evaluator = val_evaluator

# Dense FixMatch multi-task, Cityscapes setting (d): 93 for segmentation inside 372 for detection (table 3), split 0;
# explicit sampling 8 + 8, "labeled" = labeled for at least one task.
_base_ = '../_base_/semi_multitask/dense-fixmatch_explicit_cityscapes.py'
regime = 'd-93-372'
splits = dict(
    seg_split=f'splits/multitask/{regime}/split0/seg_labeled.txt',
    det_split=f'splits/multitask/{regime}/split0/det_labeled.txt')
train_dataloader = dict(
    dataset=dict(
        labeled=dict(subset='any', **splits),
        unlabeled=dict(subset='none', **splits)))

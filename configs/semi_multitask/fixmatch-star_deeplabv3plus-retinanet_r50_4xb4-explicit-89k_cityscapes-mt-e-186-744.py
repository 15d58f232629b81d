# FixMatch* multi-task, Cityscapes setting (e): 186 for segmentation and 744 for detection drawn independently (table 3), split 0;
# explicit sampling 8 + 8, "labeled" = labeled for at least one task.
_base_ = '../_base_/semi_multitask/fixmatch-star_explicit_cityscapes.py'
regime = 'e-186-744'
splits = dict(
    seg_split=f'splits/multitask/{regime}/split0/seg_labeled.txt',
    det_split=f'splits/multitask/{regime}/split0/det_labeled.txt')
train_dataloader = dict(
    dataset=dict(
        labeled=dict(subset='any', **splits),
        unlabeled=dict(subset='none', **splits)))

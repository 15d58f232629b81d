# FixMatch* multi-task, Cityscapes setting (c): 372 images per task drawn independently (table 2), split 0;
# implicit sampling (16 uniform).
_base_ = '../_base_/semi_multitask/fixmatch-star_implicit_cityscapes.py'
regime = 'c-372'
splits = dict(
    seg_split=f'splits/multitask/{regime}/split0/seg_labeled.txt',
    det_split=f'splits/multitask/{regime}/split0/det_labeled.txt')
train_dataloader = dict(
    dataset=dict(
        labeled=dict(subset='any', **splits),
        unlabeled=dict(subset='none', **splits)))

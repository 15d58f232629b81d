# FixMatch* multi-task, Cityscapes setting (b): the same 93 images labeled for both tasks (table 2), split 0;
# explicit sampling 8 + 8, "labeled" = labeled for at least one task.
_base_ = '../_base_/semi_multitask/fixmatch-star_explicit_cityscapes.py'
regime = 'b-93'
splits = dict(
    seg_split=f'splits/multitask/{regime}/split0/seg_labeled.txt',
    det_split=f'splits/multitask/{regime}/split0/det_labeled.txt')
train_dataloader = dict(
    dataset=dict(
        labeled=dict(subset='any', **splits),
        unlabeled=dict(subset='none', **splits)))

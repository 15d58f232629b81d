# FixMatch* multi-task, Cityscapes setting (a): every image labeled for detection, 93 for segmentation (table 1), split 0;
# explicit sampling 8 + 8, "labeled" = labeled for segmentation (the chosen task: every image is
# labeled for detection).
_base_ = '../_base_/semi_multitask/fixmatch-star_explicit_cityscapes.py'
regime = 'a-93'
splits = dict(
    seg_split=f'splits/multitask/{regime}/split0/seg_labeled.txt',
    det_split=f'splits/multitask/{regime}/split0/det_labeled.txt')
train_dataloader = dict(
    dataset=dict(
        labeled=dict(subset='seg', **splits),
        unlabeled=dict(subset='not_seg', **splits)))

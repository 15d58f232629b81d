# Dense FixMatch multi-task, Cityscapes setting (e): 93 for segmentation and 744 for detection drawn independently (table 3), split 0;
# implicit sampling (16 uniform).
_base_ = '../_base_/semi_multitask/dense-fixmatch_implicit_cityscapes.py'
regime = 'e-93-744'
splits = dict(
    seg_split=f'splits/multitask/{regime}/split0/seg_labeled.txt',
    det_split=f'splits/multitask/{regime}/split0/det_labeled.txt')
train_dataloader = dict(
    dataset=dict(
        labeled=dict(subset='any', **splits),
        unlabeled=dict(subset='none', **splits)))

# Dense FixMatch multi-task, Cityscapes setting (a): every image labeled for detection, 744 for segmentation (table 1), split 0;
# implicit sampling (16 uniform).
_base_ = '../_base_/semi_multitask/dense-fixmatch_implicit_cityscapes.py'
regime = 'a-744'
splits = dict(
    seg_split=f'splits/multitask/{regime}/split0/seg_labeled.txt',
    det_split=f'splits/multitask/{regime}/split0/det_labeled.txt')
train_dataloader = dict(
    dataset=dict(
        labeled=dict(subset='seg', **splits),
        unlabeled=dict(subset='not_seg', **splits)))

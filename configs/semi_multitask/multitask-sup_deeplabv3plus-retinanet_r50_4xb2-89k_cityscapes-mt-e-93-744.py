# Supervised multi-task baseline, Cityscapes setting (e): 93 for segmentation and 744 for detection drawn independently (table 3),
# split 0 (tools/make_splits.py --dataset cityscapes --multitask e-93-744).
_base_ = '../_base_/semi_multitask/supervised_cityscapes.py'
regime = 'e-93-744'
splits = dict(
    seg_split=f'splits/multitask/{regime}/split0/seg_labeled.txt',
    det_split=f'splits/multitask/{regime}/split0/det_labeled.txt')
train_dataloader = dict(dataset=dict(subset='any', **splits))

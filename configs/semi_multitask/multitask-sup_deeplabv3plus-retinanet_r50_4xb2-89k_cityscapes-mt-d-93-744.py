# Supervised multi-task baseline, Cityscapes setting (d): 93 for segmentation inside 744 for detection (table 3),
# split 0 (tools/make_splits.py --dataset cityscapes --multitask d-93-744).
_base_ = '../_base_/semi_multitask/supervised_cityscapes.py'
regime = 'd-93-744'
splits = dict(
    seg_split=f'splits/multitask/{regime}/split0/seg_labeled.txt',
    det_split=f'splits/multitask/{regime}/split0/det_labeled.txt')
train_dataloader = dict(dataset=dict(subset='any', **splits))

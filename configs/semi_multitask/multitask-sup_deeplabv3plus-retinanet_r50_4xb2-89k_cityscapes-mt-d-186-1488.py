# Supervised multi-task baseline, Cityscapes setting (d): 186 for segmentation inside 1488 for detection (table 3),
# split 0 (tools/make_splits.py --dataset cityscapes --multitask d-186-1488).
_base_ = '../_base_/semi_multitask/supervised_cityscapes.py'
regime = 'd-186-1488'
splits = dict(
    seg_split=f'splits/multitask/{regime}/split0/seg_labeled.txt',
    det_split=f'splits/multitask/{regime}/split0/det_labeled.txt')
train_dataloader = dict(dataset=dict(subset='any', **splits))

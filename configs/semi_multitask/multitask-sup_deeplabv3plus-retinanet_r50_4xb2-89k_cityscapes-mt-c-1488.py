# Supervised multi-task baseline, Cityscapes setting (c): 1488 images per task drawn independently (table 2),
# split 0 (tools/make_splits.py --dataset cityscapes --multitask c-1488).
_base_ = '../_base_/semi_multitask/supervised_cityscapes.py'
regime = 'c-1488'
splits = dict(
    seg_split=f'splits/multitask/{regime}/split0/seg_labeled.txt',
    det_split=f'splits/multitask/{regime}/split0/det_labeled.txt')
train_dataloader = dict(dataset=dict(subset='any', **splits))

# Supervised multi-task baseline, Cityscapes setting (a): every image labeled for detection, 744 for segmentation (table 1),
# split 0 (tools/make_splits.py --dataset cityscapes --multitask a-744).
_base_ = '../_base_/semi_multitask/supervised_cityscapes.py'
regime = 'a-744'
splits = dict(
    seg_split=f'splits/multitask/{regime}/split0/seg_labeled.txt',
    det_split=f'splits/multitask/{regime}/split0/det_labeled.txt')
train_dataloader = dict(dataset=dict(subset='any', **splits))

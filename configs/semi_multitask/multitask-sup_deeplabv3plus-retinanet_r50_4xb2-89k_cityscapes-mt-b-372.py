# Supervised multi-task baseline, Cityscapes setting (b): the same 372 images labeled for both tasks (table 2),
# split 0 (tools/make_splits.py --dataset cityscapes --multitask b-372).
_base_ = '../_base_/semi_multitask/supervised_cityscapes.py'
regime = 'b-372'
splits = dict(
    seg_split=f'splits/multitask/{regime}/split0/seg_labeled.txt',
    det_split=f'splits/multitask/{regime}/split0/det_labeled.txt')
train_dataloader = dict(dataset=dict(subset='any', **splits))

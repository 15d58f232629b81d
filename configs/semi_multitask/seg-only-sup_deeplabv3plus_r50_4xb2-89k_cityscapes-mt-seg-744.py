# Single-task supervised segmentation baseline (table 1): the multi-task
# network without the other head, 744 images labeled for segmentation.
_base_ = '../_base_/semi_multitask/supervised_cityscapes.py'
model = dict(neck=None, bbox_head=None)
regime = 'b-744'
splits = dict(
    seg_split=f'splits/multitask/{regime}/split0/seg_labeled.txt',
    det_split=f'splits/multitask/{regime}/split0/det_labeled.txt')
train_dataloader = dict(dataset=dict(subset='seg', **splits))
val_evaluator = dict(tasks=('seg', ))
test_evaluator = val_evaluator

# Single-task supervised detection baseline (table 1): the multi-task
# network without the other head, 372 images labeled for detection.
_base_ = '../_base_/semi_multitask/supervised_cityscapes.py'
model = dict(decode_head=None)
regime = 'b-372'
splits = dict(
    seg_split=f'splits/multitask/{regime}/split0/seg_labeled.txt',
    det_split=f'splits/multitask/{regime}/split0/det_labeled.txt')
train_dataloader = dict(dataset=dict(subset='det', **splits))
val_evaluator = dict(tasks=('det', ))
test_evaluator = val_evaluator

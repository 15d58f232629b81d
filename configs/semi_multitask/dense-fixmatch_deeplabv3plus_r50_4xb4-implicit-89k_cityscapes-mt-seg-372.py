# Single-task Dense FixMatch for segmentation (table 1): the multi-task model
# without the other head, 372 images labeled for segmentation, implicit
# sampling.
_base_ = '../_base_/semi_multitask/dense-fixmatch_implicit_cityscapes.py'
model = dict(model=dict(neck=None, bbox_head=None))
regime = 'b-372'
splits = dict(
    seg_split=f'splits/multitask/{regime}/split0/seg_labeled.txt',
    det_split=f'splits/multitask/{regime}/split0/det_labeled.txt')
train_dataloader = dict(
    dataset=dict(
        labeled=dict(subset='seg', **splits),
        unlabeled=dict(subset='not_seg', **splits)))
val_evaluator = dict(tasks=('seg', ))
test_evaluator = val_evaluator

# Single-task FixMatch* for detection (table 1): the multi-task model
# without the other head, 93 images labeled for detection, explicit
# sampling.
_base_ = '../_base_/semi_multitask/fixmatch-star_explicit_cityscapes.py'
model = dict(model=dict(decode_head=None))
regime = 'b-93'
splits = dict(
    seg_split=f'splits/multitask/{regime}/split0/seg_labeled.txt',
    det_split=f'splits/multitask/{regime}/split0/det_labeled.txt')
train_dataloader = dict(
    dataset=dict(
        labeled=dict(subset='det', **splits),
        unlabeled=dict(subset='not_det', **splits)))
val_evaluator = dict(tasks=('det', ))
test_evaluator = val_evaluator

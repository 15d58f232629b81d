# Dense FixMatch multi-task (segmentation + detection), DeepLabv3+ and
# RetinaNet on one ResNet-50, Cityscapes low-data setting (a) of table 1:
# every train image labeled for detection, 93 for segmentation (split 0 of
# `tools/make_splits.py --dataset cityscapes --multitask a-93`). Explicit
# sampling 8 + 8 (2 + 2 on each of 4 GPUs) where "labeled" is the chosen
# task, segmentation (table 1 (a): every image is labeled for detection, so
# "labeled for at least one task" would leave no unlabeled part). 800x800
# crops, scale 0.5-2, SGD lr 0.001 poly 0.9 Nesterov wd 5e-4, 89,250 steps,
# EMA 0.99, lambda ramp over 5 %, Lu on all samples; checkpoints selected by
# the geometric mean of mIoU and box mAP (multitask/gmean) of the teacher.
_base_ = [
    '../_base_/models/semi_multitask_deeplabv3plus-retinanet_r50.py',
    '../_base_/datasets/semi_multitask_cityscapes.py',
    '../_base_/schedules/sgd-poly_89k.py',
    '../_base_/default_runtime.py',
    '../_base_/semi_hooks.py',
]
regime = 'a-93'
splits = dict(
    seg_split=f'splits/multitask/{regime}/split0/seg_labeled.txt',
    det_split=f'splits/multitask/{regime}/split0/det_labeled.txt')
train_dataloader = dict(
    dataset=dict(
        labeled=dict(subset='seg', **splits),
        unlabeled=dict(subset='not_seg', **splits)))
default_hooks = dict(
    checkpoint=dict(save_best='multitask/gmean', rule='greater'))

# Dense FixMatch, DeepLabv3+ R50, Cityscapes, 93 labeled (1/32), split 0,
# explicit sampling 8 labeled + 8 unlabeled per batch (2 + 2 on each of 4
# GPUs), 800x800 crops, 89,250 iterations, tau 0.5, lambda 1 (5 % sigmoid
# ramp), EMA 0.99, min-overlap crops. Other splits of this regime: change
# `split0` below (tools/make_splits.py writes split0..split3).
_base_ = [
    '../_base_/models/semi_deeplabv3plus_r50-d8.py',
    '../_base_/datasets/semi_cityscapes.py',
    '../_base_/schedules/sgd-poly_89k.py',
    '../_base_/default_runtime.py',
    '../_base_/semi_hooks.py',
]
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/1-32/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/1-32/split0/unlabeled.txt')))
# Evaluate teacher and student (keys 'teacher/mIoU', 'student/mIoU').
val_cfg = dict(type='mmdet.TeacherStudentValLoop')
default_hooks = dict(
    checkpoint=dict(save_best='teacher/mIoU'),
    visualization=dict(type='SegVisualizationHook'))

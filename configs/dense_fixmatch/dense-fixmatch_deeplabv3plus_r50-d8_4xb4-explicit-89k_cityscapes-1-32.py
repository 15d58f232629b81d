# Dense FixMatch, DeepLabv3+ R50, Cityscapes, 93 labeled (1/32), split 0,
# explicit sampling 8 labeled + 8 unlabeled per batch (2 + 2 on each of 4
# GPUs), 800x800 crops, 89,250 iterations, tau 0.5, lambda 1 (table 4,
# dagger), Lu on the unlabeled samples only (table 3, dagger: the main
# experiments' setting), EMA 0.99, min-overlap crops (table 5, dagger).
# lambda warm-up: "a logistic warm-up schedule for the consistency weight
# during the first 60 epochs" (table 5 caption), the sigmoid-shaped ramp
# exp(-5 (1 - t)^2) of Tarvainen & Valpola that the same authors name in the
# multi-task paper (sec. 3). Epochs are the paper's (sec. 4, "Training
# details"): "the equivalent of ... 240 epochs on the full train set for the
# supervised baseline, i.e. ... 89250 updates" for Cityscapes, so one epoch
# is 89,250 / 240 = 371.875 updates = 2975 train images / a batch of 8 (the
# supervised batch; multi-task paper table 10), and 60 epochs are
# 60 * 2975 / 8 = 22,312.5 updates (25 % of training). The same for every
# split: the paper trains every split for the same number of updates.
# Other splits of this regime: change `split0` below (tools/make_splits.py
# writes split0..split3).
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
# 60 epochs of 2975 images at batch 8 (see the header).
lambda_warmup_epochs = 60
lambda_warmup_iters = lambda_warmup_epochs * 2975 / 8
custom_hooks = [
    dict({k: v
          for k, v in h.items() if k != 'warmup_ratio'},
         warmup_iters=lambda_warmup_iters)
    if h['type'] == 'UnsupWeightHook' else h for h in _base_.custom_hooks
]

# Dense FixMatch, DeepLabv3+ R50, Pascal VOC 2012: 92 labeled images of the
# original train set (1464), the SBD aug set (10,582) minus those as unlabeled,
# split 0 (paper table 2). Explicit sampling 8 + 8 per batch (2 + 2 on each of
# 4 GPUs), 512x512 crops of images rescaled 0.5-2.0 from (2048, 512), 52,910
# iterations, tau 0.5, lambda 1, Lu on the unlabeled samples only (tables 3
# and 4, dagger: the main experiments' settings), EMA 0.99, min-overlap
# crops. lambda warm-up over the first 60 epochs (table 5 caption; sigmoid
# ramp as the Cityscapes configs). Epochs are the paper's (sec. 4,
# "Training details": "the equivalent of 80 ... epochs on the full train set
# for the supervised baseline, i.e. 52910 ... updates" for Pascal VOC): one
# epoch is 52,910 / 80 = 661.375 updates = the 10,582 train (aug) images / a
# batch of 16, so 60 epochs are 60 * 10582 / 16 = 39,682.5 updates (75 % of
# training), for every split. Paper silent / choice: crop size and the scale
# base follow mmseg's VOC configs; the semi-supervised batch (8 + 8) and
# other hyper-parameters are the Cityscapes ones (multi-task paper, table
# 10).
_base_ = [
    '../_base_/models/semi_deeplabv3plus_r50-d8.py',
    '../_base_/datasets/semi_voc12.py',
    '../_base_/schedules/sgd-poly_53k.py',
    '../_base_/default_runtime.py',
    '../_base_/semi_hooks.py',
]
model = dict(
    data_preprocessor=dict(data_preprocessor=dict(size=(512, 512))),
    segmentor=dict(
        decode_head=dict(num_classes=21),
        auxiliary_head=dict(num_classes=21)))
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/92/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/92/split0/unlabeled.txt')))
# Evaluate teacher and student (keys 'teacher/mIoU', 'student/mIoU').
val_cfg = dict(type='mmdet.TeacherStudentValLoop')
default_hooks = dict(
    checkpoint=dict(save_best='teacher/mIoU'),
    visualization=dict(type='SegVisualizationHook'))
# 60 epochs of 10,582 images at batch 16 (see the header).
lambda_warmup_epochs = 60
lambda_warmup_iters = lambda_warmup_epochs * 10582 / 16
custom_hooks = [
    dict({k: v
          for k, v in h.items() if k != 'warmup_ratio'},
         warmup_iters=lambda_warmup_iters)
    if h['type'] == 'UnsupWeightHook' else h for h in _base_.custom_hooks
]

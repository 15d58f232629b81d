# CutMix mean teacher (French et al.), DeepLabv3+ R101-D8 (no auxiliary head), Pascal VOC 2012 + SBD aug set:
# 1/8 (1323 labeled, SegmentationClassAug labels), the rest of the aug set
# unlabeled, split 0. Follows French et al. (D.4.1, D.4.3, tables 4-5):
# 321x321 crops, random scale 0.5-1.5 rounded to 0.1 (a uniform choice among
# the 11 values), horizontal flip, batch 10, Adam lr 1e-5 (table 5), 40k
# iterations, EMA 0.99, squared-error consistency (weight 1 x the fraction of
# pixels with teacher confidence >= 0.97; loss mean and confidence
# proportion over the valid image area of the mixed image, as the
# Cityscapes 1-8 config: the authors' code, c073d7b,
# train_seg_semisup_mask_mt.py:324, :358-365, :400, averages over the whole
# 321x321 crop, the padding of images scaled below the crop included).
# Choices: 10 labeled + 10 unlabeled
# per step on one GPU; BN frozen as their --freeze_bn for DeepLab models;
# ImageNet ResNetV1c-101 weights (theirs: torchvision ResNet-101); backbone lr
# x0.1 and a constant lr (their code); EMAN teacher; the consistency loss on
# the unlabeled samples only. Other splits: change `split0`.
_base_ = [
    '../_base_/models/semi_mix_deeplabv3plus_r101-d8.py',
    '../_base_/datasets/semi_mix_voc12aug_321x321.py',
    '../_base_/schedules/adam_40k.py',
    '../_base_/default_runtime.py',
    '../_base_/mix_hooks.py',
]
model = dict(
    data_preprocessor=dict(data_preprocessor=dict(size=(321, 321))),
    segmentor=dict(
        backbone=dict(norm_eval=True), decode_head=dict(num_classes=21)),
    semi_train_cfg=dict(
        mask_generator=dict(type='CutMixMaskGenerator', num_boxes=1, area_ratio=0.5),
        consistency_loss='squared_error',
        unsup_weighting='confidence_proportion',
        confidence_threshold=0.97))
optim_wrapper = dict(optimizer=dict(lr=1e-5))
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/aug-1-8/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/aug-1-8/split0/unlabeled.txt')))
# Evaluate teacher and student (keys 'teacher/mIoU', 'student/mIoU').
val_cfg = dict(type='mmdet.TeacherStudentValLoop')
default_hooks = dict(
    checkpoint=dict(save_best='teacher/mIoU'),
    visualization=dict(type='SegVisualizationHook'))

# ClassMix, DeepLab-v2 R101-D8, Pascal VOC 2012 + SBD aug set (10,582): 1/8
# (1323 labeled, SegmentationClassAug labels), the rest of the aug set
# unlabeled, split 0. Follows the paper (sec. 4.1, table 2): random scale
# 0.5-1.5, horizontal flip, 321x321 crops, 10 labeled + 10 unlabeled per
# step, 40k iterations, the Cityscapes optimiser and ClassMix settings (SGD
# Nesterov 2.5e-4 poly, EMA 0.99, tau 0.968, cross-entropy), and the
# authors' code where the paper is silent as in the Cityscapes 1/8 config
# (half of the classes rounded down, trainSSL.py:409; confidence proportion
# >= 0.968 over the mixed map, :461; the student is evaluated, :528, :551;
# their EMA warm-up and train-mode teacher are not available, stated
# there). Choices: scale
# in steps of 0.1 (the public code's scale, see the dataset base), one GPU
# with all 20 samples, ImageNet-only weights (the paper: + MSCOCO), others as
# the Cityscapes 1/8 config. Other splits: change `split0`.
_base_ = [
    '../_base_/models/semi_mix_deeplabv2_r101-d8.py',
    '../_base_/datasets/semi_mix_voc12aug_321x321.py',
    '../_base_/schedules/sgd-nesterov-poly_40k.py',
    '../_base_/default_runtime.py',
    '../_base_/mix_hooks.py',
]
model = dict(
    data_preprocessor=dict(data_preprocessor=dict(size=(321, 321))),
    segmentor=dict(decode_head=dict(num_classes=21)),
    semi_test_cfg=dict(predict_on='student'))
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/aug-1-8/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/aug-1-8/split0/unlabeled.txt')))
# Evaluate teacher and student (keys 'teacher/mIoU', 'student/mIoU').
val_cfg = dict(type='mmdet.TeacherStudentValLoop')
default_hooks = dict(
    checkpoint=dict(save_best='student/mIoU'),
    visualization=dict(type='SegVisualizationHook'))

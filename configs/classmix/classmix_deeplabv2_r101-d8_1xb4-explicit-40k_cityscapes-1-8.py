# ClassMix (Olsson et al., WACV 2021), DeepLab-v2 R101-D8, Cityscapes 1/8
# (372 labeled, the other 2603 train images unlabeled), split 0.
# Follows the paper (sec. 3-4.1): images resized to 512x1024 without crop,
# scale or flip; 2 labeled + 2 unlabeled per step; 40k iterations of SGD
# Nesterov lr 2.5e-4 (poly 0.9, momentum 0.9, wd 5e-4); EMA teacher 0.99;
# ClassMix masks (half of the classes of the teacher's argmax on image A),
# cross-entropy on the argmax of the mixed teacher prediction, weighted by the
# fraction of pixels with confidence > 0.968; no extra augmentation (table 1
# rows; the "extra augmentations" ablation is the -extra-augs config).
# Choices where the paper is silent or we differ: one GPU with all 4 samples
# (the mixing partner must be in the same process's batch; the paper used two
# V100s); classifier lr x10 (ClassMix's code); ImageNet ResNetV1c-101 weights
# instead of ImageNet + MSCOCO; EMAN teacher (BN statistics averaged too);
# evaluation upsampled to full resolution; Ls on the labeled samples, the
# mixed loss on the unlabeled ones only. Other splits: change `split0`.
_base_ = [
    '../_base_/models/semi_mix_deeplabv2_r101-d8.py',
    '../_base_/datasets/semi_mix_cityscapes_512x1024.py',
    '../_base_/schedules/sgd-nesterov-poly_40k.py',
    '../_base_/default_runtime.py',
    '../_base_/mix_hooks.py',
]
model = dict(data_preprocessor=dict(data_preprocessor=dict(size=(512, 1024))))
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/1-8/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/1-8/split0/unlabeled.txt')))
# Evaluate teacher and student (keys 'teacher/mIoU', 'student/mIoU').
val_cfg = dict(type='mmdet.TeacherStudentValLoop')
default_hooks = dict(
    checkpoint=dict(save_best='teacher/mIoU'),
    visualization=dict(type='SegVisualizationHook'))

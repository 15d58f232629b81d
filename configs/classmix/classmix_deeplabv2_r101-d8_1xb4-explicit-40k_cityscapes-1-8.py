# ClassMix (Olsson et al., WACV 2021), DeepLab-v2 R101-D8, Cityscapes 1/8
# (372 labeled, the other 2603 train images unlabeled), split 0.
# Follows the paper (sec. 3-4.1): images resized to 512x1024 without crop,
# scale or flip; 2 labeled + 2 unlabeled per step; 40k iterations of SGD
# Nesterov lr 2.5e-4 (poly 0.9, momentum 0.9, wd 5e-4); EMA teacher 0.99;
# ClassMix masks (half of the classes of the teacher's argmax on image A,
# algorithm 1: |c| = |C| / 2), cross-entropy on the argmax of the mixed
# teacher prediction, weighted by the fraction of pixels with confidence
# above 0.968; no extra augmentation (table 1 rows; the "extra
# augmentations" ablation is the -extra-augs config).
# Where the paper is silent, the authors' code (github.com/WilhelmT/ClassMix,
# trainSSL.py):
# - |C| / 2 rounded down: :409 np.random.choice(nclasses, int((nclasses -
#   nclasses % 2) / 2), replace=False) (ClassMixMaskGenerator);
# - the weight is the fraction of the whole mixed teacher map with
#   confidence >= 0.968 (:461 max_probs.ge(0.968) summed / its size; mmssl:
#   over the valid image area, here every pixel of the 512x1024 image);
# - evaluation of the student, not the EMA teacher (:528 and :551
#   evaluate(model, ...); evaluateSSL.py:233 loads checkpoint['model']):
#   predict_on='student', best checkpoint by student/mIoU.
# Not followed, stated (mmssl has no such option; see docs/mixing.md): their
# EMA warms up, alpha_t = min(1 - 1/(t + 1), 0.99) (:116-118, called after
# every step :497-499 with t = i_iter from 0), averaging parameters only,
# and the teacher stays in train mode (:265 ema_model.train(), never eval),
# so its BN uses each unlabeled batch's statistics; mmssl's EMATeacherHook
# uses a constant 0.99 from the first step and an eval-mode EMAN teacher
# (parameters and BN statistics averaged).
# Choices where the paper is silent or we differ: one GPU with all 4 samples
# (the mixing partner must be in the same process's batch; the paper used two
# V100s); classifier lr x10 (ClassMix's code); ImageNet ResNetV1c-101 weights
# instead of ImageNet + MSCOCO; evaluation upsampled to full resolution; Ls
# on the labeled samples, the mixed loss on the unlabeled ones only. Other splits: change `split0`.
_base_ = [
    '../_base_/models/semi_mix_deeplabv2_r101-d8.py',
    '../_base_/datasets/semi_mix_cityscapes_512x1024.py',
    '../_base_/schedules/sgd-nesterov-poly_40k.py',
    '../_base_/default_runtime.py',
    '../_base_/mix_hooks.py',
]
model = dict(
    data_preprocessor=dict(data_preprocessor=dict(size=(512, 1024))),
    semi_test_cfg=dict(predict_on='student'))
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/1-8/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/1-8/split0/unlabeled.txt')))
# Evaluate teacher and student (keys 'teacher/mIoU', 'student/mIoU').
val_cfg = dict(type='mmdet.TeacherStudentValLoop')
default_hooks = dict(
    checkpoint=dict(save_best='student/mIoU'),
    visualization=dict(type='SegVisualizationHook'))

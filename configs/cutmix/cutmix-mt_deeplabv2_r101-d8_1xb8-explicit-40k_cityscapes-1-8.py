# CutMix mean teacher (French et al.), DeepLab-v2 R101-D8, Cityscapes 372 labeled
# (regime 1-8), the other 2603 train images unlabeled, split 0.
# Follows French et al. (BMVC 2020, sec. 3.3, 4.1, D.4.1, table 1): images at
# half resolution (1024x512), random 512x256 crops and horizontal flips (one
# geometry for teacher and student), Adam lr 3e-5, 40k iterations, mean
# teacher with EMA 0.99, squared-error consistency summed over classes and
# averaged over batch and pixels (D.4.5), weight 1 modulated by the
# fraction of pixels with teacher confidence >= 0.97 (D.4.4).
# Where the paper is silent, the authors' code (github.com/Britefury/
# cutmix-semisup-seg at c073d7b, the BMVC version; the CutMix rows come from
# run_cityscapes_experiments.sh:22 REG_MASK_CUTMIX="--cons_weight=1.0
# --mask_mode=mix --mask_prop_range=0.5 --conf_thresh=0.97"): the loss is
# the mean over all pixels of the mixed image (train_seg_semisup_mask_mt.py
# :324 loss_mask = batch_um_mixed, :400 (consistency_loss * loss_mask)
# .mean()) and the confidence proportion is over the whole mixed teacher map
# with >= (:318, :358-365). mmssl: both over the valid image area of the
# mixed image (every pixel of these 512x256 crops; batch padding and pixels
# outside the view never count).
# Choices where the paper is silent or we differ: 4 labeled + 4 unlabeled
# per step on one GPU (French et al.'s code: a supervised batch of 4 and two
# unsupervised batches of 4 mixed pairwise; here the 4 unlabeled images are
# mixed with partners within the batch); their unlabeled set is the whole
# train set (labeled images included), ours the rest of it (regime `all`:
# the whole set); from their code: backbone lr x0.1, constant lr, frozen BN
# (norm_eval); mmseg ResNetV1c-101 ImageNet weights; EMAN teacher; the
# consistency loss on the unlabeled samples only; evaluation upsampled to
# full resolution. Other splits: change `split0`.
_base_ = [
    '../_base_/models/semi_mix_deeplabv2_r101-d8.py',
    '../_base_/datasets/semi_mix_cityscapes-half_512x256.py',
    '../_base_/schedules/adam_40k.py',
    '../_base_/default_runtime.py',
    '../_base_/mix_hooks.py',
]
model = dict(
    data_preprocessor=dict(data_preprocessor=dict(size=(256, 512))),
    segmentor=dict(backbone=dict(norm_eval=True)),
    semi_train_cfg=dict(
        mask_generator=dict(type='CutMixMaskGenerator', num_boxes=1, area_ratio=0.5),
        consistency_loss='squared_error',
        unsup_weighting='confidence_proportion',
        confidence_threshold=0.97))
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/1-8/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/1-8/split0/unlabeled.txt')))
# Evaluate teacher and student (keys 'teacher/mIoU', 'student/mIoU').
val_cfg = dict(type='mmdet.TeacherStudentValLoop')
default_hooks = dict(
    checkpoint=dict(save_best='teacher/mIoU'),
    visualization=dict(type='SegVisualizationHook'))

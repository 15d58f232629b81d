# Cutout mean teacher (French et al.), DeepLab-v2 R101-D8, Cityscapes 372 labeled
# (regime 1-8), the other 2603 train images unlabeled, split 0.
# Follows French et al. (BMVC 2020, sec. 3.3, 4.1, D.4.1, table 1): images at
# half resolution (1024x512), random 512x256 crops and horizontal flips (one
# geometry for teacher and student), Adam lr 3e-5, 40k iterations, mean
# teacher with EMA 0.99, Cutout as sec. 3.3: one rectangle of random size,
# aspect ratio and position inside the image set to 0 in the student's input,
# L = ||M (f(M x) - g(x))||^2 (squared error summed over classes, D.4.5),
# weight 1 x the proportion of confident teacher pixels (D.4.4), tau 0.97.
# Where the paper is silent, the authors' code (github.com/Britefury/
# cutmix-semisup-seg at c073d7b, the BMVC version; the Cutout rows come from
# run_cityscapes_experiments.sh:21 REG_MASK_CUTOUT="--cons_weight=1.0
# --mask_mode=zero --mask_prop_range=0.0:1.0 --conf_thresh=0.97"):
# - box area uniform in [0, 1] of the image (mask_prop_range=0.0:1.0;
#   mask_gen.py:75 rng.uniform(prop_range[0], prop_range[1])), aspect
#   ratio log-uniform as mask_gen.py:80-82;
# - the loss is the mean over ALL pixels of the image, the cut-out box
#   counting 0 (train_seg_semisup_mask_mt.py:350 loss_mask =
#   batch_cut_masks * batch_um, :400 (consistency_loss * loss_mask).mean());
# - the confidence proportion is over the whole teacher map of the uncut
#   image, box included, with >= (:342, :358-365 conf_tea >= conf_thresh,
#   conf_mask.mean()).
# For mmssl "all pixels" is the valid image area (MixSemiSegmentor: pixels
# that saw the teacher, not batch padding nor outside the view; they are
# the same pixels in the authors' 512x256 crops): the box's pixels count in
# both means and have no target; padding never trains and never counts.
# Their code cuts out the complement of the box instead (BoxMaskGenerator
# invert=True by default, :132, mask_gen.py:110-116: the box keeps the
# image); the cut-out area is uniform in [0, 1] either way; the paper's
# rectangle is used here (CutoutMaskGenerator keep_box=True gives theirs).
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
        mask_generator=dict(
            type='CutoutMaskGenerator', area_ratio=(0.0, 1.0)),
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

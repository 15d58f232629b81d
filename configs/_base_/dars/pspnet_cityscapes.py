# DARS self-training (R. He, J. Yang, X. Qi, "Re-distributing Biased Pseudo
# Labels for Semi-supervised Semantic Segmentation: A Baseline
# Investigation", ICCV 2021, arXiv:2107.11279) on Cityscapes with PSPNet-50,
# crop 361 (the paper's ablation setting, sec. 4.1 and tables 4-6): the
# round-k (k >= 1) training config. Where the paper is silent the values
# are the authors' code (github.com/CVMI-Lab/DARS, "authors' code: <file>"
# below; config/cityscapes/train_psp50_cityscapes_split8_crop361_round1.yaml
# for this one).
#
# Round k starts from round k-1's weights and optimizer state
# (tools/dars_rounds.py: load_from + LoadOptimizerStateHook; sec. 3.1 "the
# student model resumes from the teacher model"; authors' code:
# tool/train.py lines 240-248 resume the checkpoint's optimizer) and
# continues the authors' poly schedule (see `dars` below). A batch holds 8
# labeled + 8 pseudo-labeled images (sec. 4.1; 4 GPUs x (2 + 2),
# ExplicitSemiSampler over SemiDataset(labeled, pseudo-labeled));
# tools/dars_rounds.py points the pseudo-labeled part's seg_map_path at the
# round's pseudo-labels and sets the scale range
# [(1-beta_min) s_min, (1+beta_max) s_max] (sec. 3.3, table 6).
# Loss: eq. 2, 1/N_l sum L(labeled) + 1/N_u sum L(pseudo-labeled), each part
# averaged over its own valid pixels (SelfTrainingEncoderDecoder splits the
# batch by MarkPseudoLabeled's flag; authors' code: tool/train_func.py
# lines 91-120, one forward and one nn.CrossEntropyLoss(ignore_index=255)
# mean per part, aux weight 0.4 in both).
_base_ = [
    'mmseg::_base_/models/pspnet_r50-d8.py', '../default_runtime.py'
]

dataset_type = 'SemiCityscapesDataset'
data_root = 'data/cityscapes/'
num_classes = 19
crop_size = (361, 361)  # train_h / train_w 361 (the ablations; main: 713)
img_scale = (2048, 1024)
# s_min, s_max of the random scaling of the full-resolution image (rounds
# widen it); authors' code: scale_min 0.25, scale_max 1.0
scale_range = (0.25, 1.0)
# pseudo-labels and evaluation at base_size 1024 (the image's long side):
# authors' code: TEST base_size 1024, tool/gen_pseudo_label_utils.py
# first_forward resizes the image, predicts and resizes the logits back
test_scale = (1024, 512)
regime = '1-8'
labeled_split = f'splits/{regime}/split0/labeled.txt'
unlabeled_split = f'splits/{regime}/split0/unlabeled.txt'
img_prefix = 'leftImg8bit/train'
seg_prefix = 'gtFine/train'

labeled_loading = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations', num_classes=num_classes),
]
# authors' code: tool/train.py get_labeled_unlabeled_pseudo_dataloader and
# util/transform.py: RandScale, RandRotate([-10, 10], padding=mean,
# ignore_label=255), RandomGaussianBlur (radius 5, p 0.5),
# RandomHorizontalFlip, Crop('rand', padding=mean). The image is rotated
# with the mean colour (BGR here) as padding; the crop is padded by the
# data preprocessor with 0 after normalisation, i.e. the mean too.
mean_bgr = (103.53, 116.28, 123.675)
train_aug_before_crop = [
    dict(type='RandomResize', scale=img_scale, ratio_range=scale_range,
         keep_ratio=True),
    dict(type='RandomRotate', prob=1.0, degree=10, pad_val=mean_bgr,
         seg_pad_val=255),
    dict(type='RandomGaussianBlur', prob=0.5, kernel_size=5),
    dict(type='RandomFlip', prob=0.5),
]
pack = dict(type='PackSegInputs')
train_aug = train_aug_before_crop + [
    dict(type='RandomCrop', crop_size=crop_size), pack
]
# after packing: the sample's loss is averaged with the pseudo-labeled part
mark_pseudo = [dict(type='MarkPseudoLabeled')]
labeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file=labeled_split,
    data_prefix=dict(img_path=img_prefix, seg_map_path=seg_prefix),
    pipeline=labeled_loading + train_aug)
# seg_map_path: set by tools/dars_rounds.py to <work>/round<k>/pseudo_labels/
# gtFine/train (the pseudo-labels in the dataset's own layout)
pseudo_labeled_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file=unlabeled_split,
    data_prefix=dict(
        img_path=img_prefix, seg_map_path='PSEUDO_LABELS/' + seg_prefix),
    pipeline=labeled_loading + train_aug + mark_pseudo)
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='ExplicitSemiSampler', batch_size=4, num_labeled=2),
    dataset=dict(
        type='SemiDataset',
        labeled=labeled_dataset,
        unlabeled=pseudo_labeled_dataset))

test_pipeline = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='Resize', scale=test_scale, keep_ratio=True),
    # labels at full resolution: predictions are resized back to it
    dict(type='LoadCheckedAnnotations', num_classes=num_classes),
    dict(type='PackSegInputs'),
]
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(
            img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator

# Pseudo-labeling between rounds (tools/pseudo_label.py): the teacher of
# round k is round k-1's model, at test_scale (test_pipeline), sliding
# window at the crop (model.test_cfg), every window's logits averaged with
# its mirror's before the softmax (authors' code: tool/gen_pseudo_label_utils
# .py net_process(flip=True), scale_process stride 2/3); no temperature
# (temp_scaling False).
pseudo_label_cfg = dict(
    labeled=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=labeled_split,
        data_prefix=dict(img_path=img_prefix, seg_map_path=seg_prefix)),
    unlabeled=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=unlabeled_split,
        data_prefix=dict(img_path=img_prefix)),
    seg_map_path=seg_prefix,
    policy=dict(type='DARS', alpha=0.2),
    num_bins=1000,
    num_chunks=32,
    seed=0,
    flip=True)
# Progressive labeling and augmentation (sec. 3.3, table 6, 1/8 split,
# crop 361): round 1 alpha 20 %, beta 0; round 2 alpha 50 %, beta_min 0.2,
# beta_max 0.5 (authors' code: gen_pseudo_label_psp50_cityscapes_split8_
# crop361_for_round{1,2}.yaml labeling_ratio 0.2 / 0.5; train_..._round2.yaml
# scale 0.2-1.5).
# continue_poly: round k's poly schedule starts at lr * (1 - k/(k+1))^power:
# the authors resume round k-1's checkpoint (epoch 200 k) and train to
# `epochs: 200 (k+1)` with poly_learning_rate(base_lr, current_iter,
# max_iter) over all of them (authors' code: train_..._round{1,2}.yaml
# epochs 400 / 600 "resume from 200 epoch ckpt, this round actually has 200
# epochs"; tool/train_func.py lines 68-75, 159-165). resume_optimizer: the
# previous round's optimizer state (LoadOptimizerStateHook).
dars = dict(
    round0_config=None,  # set by each config: its labeled-only round 0
    rounds=[
        dict(alpha=0.2, beta_min=0.0, beta_max=0.0),
        dict(alpha=0.5, beta_min=0.2, beta_max=0.5),
    ],
    scale_range=scale_range,
    continue_poly=True,
    resume_optimizer=True)

# Losses averaged over each part's valid pixels (eq. 2; authors' code:
# nn.CrossEntropyLoss(ignore_index=255), mean over the non-ignored pixels).
# Evaluation and pseudo-labeling flip (authors' code: util/
# validate_full_size.py net_process flip=True); slide at the crop with
# stride ceil(2/3 crop) (scale_process stride_rate 2/3).
model = dict(
    type='SelfTrainingEncoderDecoder',
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(
        num_classes=num_classes,
        loss_decode=dict(avg_non_ignore=True)),
    auxiliary_head=dict(
        num_classes=num_classes,
        loss_decode=dict(avg_non_ignore=True)),
    test_cfg=dict(
        mode='slide', crop_size=crop_size, stride=(241, 241), flip=True))
# SGD lr 0.01, momentum 0.9, wd 1e-4, poly 0.9 (sec. 4.1); the heads (PPM,
# classifier, auxiliary head) at 10x lr (authors' code: tool/train.py lines
# 196-200, modules_new = [model.ppm, model.cls, model.aux] get base_lr * 10;
# tool/train_func.py lines 162-165 keep it through the poly schedule).
optimizer = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=optimizer,
    clip_grad=None,
    paramwise_cfg=dict(
        custom_keys=dict(
            decode_head=dict(lr_mult=10.0),
            auxiliary_head=dict(lr_mult=10.0))))
# 200 epochs of the 2603 unlabeled images at 8 per batch (sec. 4.1)
max_iters = 65075
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook', by_epoch=False, interval=max_iters,
        max_keep_ckpts=1),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))

# DARS self-training (He, Yang, Qi, ICCV 2021) on Cityscapes with PSPNet-50:
# the round-k (k >= 1) training config. Round k starts from round k-1's
# weights (tools/dars_rounds.py sets load_from) and trains on 8 labeled +
# 8 pseudo-labeled images per batch (4 GPUs x (2 + 2), ExplicitSemiSampler
# over SemiDataset(labeled, pseudo-labeled); both parts are plain labeled
# datasets, the pseudo-labels' 255 is ignored). tools/dars_rounds.py points
# the pseudo-labeled part's seg_map_path at the round's pseudo-labels and
# sets the scale range [(1-beta_min) s_min, (1+beta_max) s_max] (table 6).
# Augmentation as the DARS code (semseg transforms): random scale, rotation
# +-10 deg, Gaussian blur (kernel 5, p 0.5), horizontal flip, crop.
# SGD lr 0.01, momentum 0.9, wd 1e-4, poly 0.9 (section 4.1).
# Loss: one cross-entropy averaged over the valid pixels of the whole batch
# (the paper's eq. 2 averages the labeled and the pseudo-labeled part
# separately; with 8 + 8 images the difference is the weighting by valid
# pixels, a choice).
_base_ = [
    'mmseg::_base_/models/pspnet_r50-d8.py', '../default_runtime.py'
]

dataset_type = 'SemiCityscapesDataset'
data_root = 'data/cityscapes/'
num_classes = 19
crop_size = (361, 361)  # ablations; the main results use 713
img_scale = (2048, 1024)
scale_range = (0.5, 2.0)  # s_min, s_max (rounds widen it)
regime = '1-8'
labeled_split = f'splits/{regime}/split0/labeled.txt'
unlabeled_split = f'splits/{regime}/split0/unlabeled.txt'
img_prefix = 'leftImg8bit/train'
seg_prefix = 'gtFine/train'

labeled_loading = [
    dict(type='LoadCheckedImageFromFile'),
    dict(type='LoadCheckedAnnotations', num_classes=num_classes),
]
train_aug_before_crop = [
    dict(type='RandomResize', scale=img_scale, ratio_range=scale_range,
         keep_ratio=True),
    dict(type='RandomRotate', prob=1.0, degree=10, pad_val=0,
         seg_pad_val=255),
    dict(type='RandomGaussianBlur', prob=0.5, kernel_size=5),
    dict(type='RandomFlip', prob=0.5),
]
pack = dict(type='PackSegInputs')
train_aug = train_aug_before_crop + [
    dict(type='RandomCrop', crop_size=crop_size), pack
]
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
    pipeline=labeled_loading + train_aug)
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
# round k is round k-1's model; single-scale sliding-window inference at the
# crop size (model.test_cfg), no flip (the paper tests single scale).
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
    flip=False)
# Progressive labeling and augmentation (table 6): round 1 alpha 20 %,
# beta 0; round 2 alpha 50 %, beta_min 0.2, beta_max 0.5.
dars = dict(
    round0_config=None,  # set by each config: its labeled-only round 0
    rounds=[
        dict(alpha=0.2, beta_min=0.0, beta_max=0.0),
        dict(alpha=0.5, beta_min=0.2, beta_max=0.5),
    ],
    scale_range=scale_range)

model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=num_classes),
    auxiliary_head=dict(num_classes=num_classes),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(241, 241)))
optimizer = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001)
optim_wrapper = dict(type='OptimWrapper', optimizer=optimizer, clip_grad=None)
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

# The CPU benchmark in the papers' regime (issue 17,
# tools/benchmark_regime.py):
# what every one of its configs shares. Variables only (cpu_*), merged into
# the configs of configs/cpu_benchmark/, which inherit the papers' configs
# (through the CPU demo configs) and override model and data with these.
#
# Model: DeepLabv3+ on ResNetV1c-18 at output stride 16 (strides 1-2-2-1,
# last stage dilated 2, ASPP rates 6-12-18: the papers' "d16" setting, e.g.
# UniMatch's DeepLabv3+), 64 decoder channels: a CPU-sized network. Its
# backbone starts from the CPU pretraining stand-in
# (tools/pretrain_backbone.py), as the papers' start from ImageNet.
cpu_pretrained = ('checkpoints/cpu_pretrain/'
                  'resnet18-d16_synthcityscapes-categories.pth')
cpu_segmentor = dict(
    pretrained=cpu_pretrained,
    backbone=dict(depth=18, strides=(1, 2, 2, 1), dilations=(1, 1, 1, 2)),
    decode_head=dict(
        in_channels=512,
        c1_in_channels=64,
        channels=64,
        dilations=(1, 6, 12, 18)),
    auxiliary_head=dict(in_channels=256, channels=64))
# Data: tools/gen_datasets.py --seed <d> --num-train 96 --num-val 32 into
# data/cpu_benchmark/data<d>; splits 1/8 (12 labeled) and 1/4 (24) of the
# 96 train images, the rest unlabeled (tools/make_splits.py --fractions).
cpu_data_root = 'data/cpu_benchmark/data0/cityscapes/'
cpu_split = 'splits/1-8/split0'
# The stage-1 checkpoint every stage-2 arm starts from (the main job's;
# tools/benchmark_regime.py passes each run's own).
cpu_stage1_checkpoint = 'work_dirs/cpu_demo/stage1/iter_600.pth'
cpu_crop_size = (128, 128)
# Stage 2 of every arm: the same step count, labeled batch (4), optimiser
# and learning-rate schedule as the supervised baseline. AdamW 4e-3 for
# stage 1 and every arm: the one setting chosen on a measurement, of the
# supervised stage 1 on dataset 0's 1/8 split (never of a method): with
# 1e-3 (the CPU demo's) the 600-step model predicted 7 of 19 classes (27.2
# mIoU, the all-label model no better: 26.9), with 4e-3 13 (36.8 mIoU).
cpu_stage2_iters = 150
# Stage 1 (and the supervised runs' schedule: the step count by
# --cfg-options): 600 steps on poly, no validation before the end, one
# checkpoint.
cpu_stage1_iters = 600
cpu_stage1_param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, begin=0,
         end=cpu_stage1_iters, by_epoch=False)
]
cpu_stage1_train_cfg = dict(
    max_iters=cpu_stage1_iters, val_interval=cpu_stage1_iters)
cpu_stage1_default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(
        interval=cpu_stage1_iters, save_best=None, max_keep_ckpts=1))
cpu_optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=4e-3, weight_decay=1e-4))
cpu_semi_data = dict(
    labeled=dict(
        data_root=cpu_data_root, ann_file=cpu_split + '/labeled.txt'),
    unlabeled=dict(
        data_root=cpu_data_root, ann_file=cpu_split + '/unlabeled.txt'))
cpu_eval_data = dict(
    num_workers=1, persistent_workers=False,
    dataset=dict(data_root=cpu_data_root))
# The semi-supervised arms' hooks: the papers' EMA teacher (decay 0.99,
# Dense FixMatch sec. 4 / French et al. / ClassMix), the torch RNG state in
# checkpoints (exact --resume) and pseudo-label panels every 50 steps.
cpu_ema = dict(type='EMATeacherHook', decay=0.99)
# The EMA-evaluated supervised baselines' hook (arms 'baseline_ema',
# 'mt_baseline_ema'): mmengine's EMAHook with that teacher's average (decay
# 0.99, BN statistics averaged too, as EMATeacherHook's update_buffers);
# it saves the average as the checkpoint's state_dict, so the average is
# what tools/test.py evaluates.
cpu_ema_eval_hook = dict(
    type='EMAHook',
    ema_type='ExponentialMovingAverage',
    momentum=1 - cpu_ema['decay'],
    update_buffers=True)
cpu_rng = dict(type='RNGStateHook')
cpu_panels = dict(
    type='PseudoLabelVisualizationHook', interval=50, max_samples=2)
# What every stage-2 arm shares: the inner segmentor from the stage-1
# checkpoint (student and EMA teacher both start from it) and the schedule.
cpu_stage2_segmentor = dict(
    cpu_segmentor,
    pretrained=None,
    init_cfg=dict(type='Pretrained', checkpoint=cpu_stage1_checkpoint))
cpu_stage2_param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, begin=0,
         end=cpu_stage2_iters, by_epoch=False)
]
cpu_stage2_train_cfg = dict(
    max_iters=cpu_stage2_iters, val_interval=cpu_stage2_iters)
cpu_stage2_default_hooks = dict(
    logger=dict(interval=25),
    checkpoint=dict(
        interval=cpu_stage2_iters, save_best=None, max_keep_ckpts=1))
# The multi-task arms (DeepLabv3+ + a one-stage detector on one ResNet-18,
# the CPU multi-task demo network): setting (d) of the multi-task paper,
# the single-task split's images labeled for segmentation inside
# cpu_mt_num_det labeled for detection (tools/make_splits.py --multitask
# d-<S>-<D>). The backbone starts from the CPU pretraining stand-in; it
# keeps output stride 32 (the FPN needs C5 at stride 32; dilation is not a
# weight, so the stand-in's weights load unchanged).
cpu_mt_num_det = 48
# The multi-task stage 1 trains 4500 steps, not 600: the detector needs the
# steps more than the segmentation head does. Measured on dataset 0's
# d-12-48 split of the current data (docs/cpu_benchmark.md, 2026-12-04):
# 1500 steps gave 51.8 mIoU / 17.8 bbox mAP50 and 0.12 boxes scoring >= 0.5
# (the paper's threshold) per val image, 4500 steps 61.2 mIoU / 35.8 mAP50
# and 0.81 boxes >= 0.5 per val image (about 15 min on 2 cores).
cpu_mt_stage1_iters = 4500
# The detector head: mmdet's ATSS head (focal loss, GIoU, centerness;
# adaptive top-9 anchor assignment) instead of the paper's RetinaNet head,
# as the issue allows ("any mmdet one-stage head"): measured on dataset 0's
# d-12-48 split, 600 steps from the pretrained backbone, RetinaNet's focal
# loss stayed at its initial value (1.06; no box scored 0.05 on val),
# while ATSS's fell to 0.35 within 300 steps (val bbox mAP50 4.8). One
# square anchor per location on P3-P5: 16, 32 and 64 px (the generated
# objects are 4-40 px at 256x128).
cpu_mt_network = dict(
    backbone=dict(
        init_cfg=dict(
            _delete_=True, type='Pretrained', checkpoint=cpu_pretrained)),
    bbox_head=dict(
        _delete_=True,
        type='mmdet.ATSSHead',
        num_classes=8,
        in_channels=64,
        stacked_convs=2,
        feat_channels=64,
        norm_cfg=dict(type='GN', num_groups=16, requires_grad=True),
        anchor_generator=dict(
            type='AnchorGenerator',
            ratios=[1.0],
            octave_base_scale=2,
            scales_per_octave=1,
            strides=[8, 16, 32]),
        bbox_coder=dict(
            type='DeltaXYWHBBoxCoder',
            target_means=[.0, .0, .0, .0],
            target_stds=[0.1, 0.1, 0.2, 0.2]),
        loss_cls=dict(
            type='FocalLoss',
            use_sigmoid=True,
            gamma=2.0,
            alpha=0.25,
            loss_weight=1.0),
        loss_bbox=dict(type='GIoULoss', loss_weight=2.0),
        loss_centerness=dict(
            type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0)),
    train_cfg=dict(
        det=dict(
            _delete_=True,
            assigner=dict(type='ATSSAssigner', topk=9),
            allowed_border=-1,
            pos_weight=-1,
            debug=False)))
cpu_mt_split = 'splits/multitask/d-12-48/split0'
cpu_mt_splits = dict(
    seg_split=cpu_mt_split + '/seg_labeled.txt',
    det_split=cpu_mt_split + '/det_labeled.txt')
cpu_mt_eval = dict(
    val_dataloader=dict(
        num_workers=1, persistent_workers=False,
        dataset=dict(data_root=cpu_data_root)),
    evaluator=dict(
        det_metric=dict(
            ann_file=cpu_data_root +
            'annotations/multitask_gtFine_val.json')))

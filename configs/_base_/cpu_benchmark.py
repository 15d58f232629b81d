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

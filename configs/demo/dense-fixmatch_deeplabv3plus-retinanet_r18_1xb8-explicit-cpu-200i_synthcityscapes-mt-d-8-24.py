# CPU demo of the multi-task model on the generated data: Dense FixMatch,
# DeepLabv3+ + RetinaNet on a ResNet-18 from random init, 128x128 crops,
# 4 labeled (for at least one task) + 4 unlabeled per batch, 200 steps.
# Setting (d) with 8 images labeled for segmentation inside 24 labeled for
# detection (48 generated train images). Prepare the data once:
#   python tools/gen_datasets.py              # if data/synthetic is missing
#   python tools/convert_cityscapes_boxes.py data/synthetic/cityscapes
#   python tools/make_splits.py --dataset cityscapes \
#       --data-root data/synthetic/cityscapes --multitask d-8-24
# then: python tools/train.py <this config>   (~1-2 s per step on 2 cores)
# CPU-scale choices: AdamW 2e-3 (as the other demo configs), EMA 0.9, ramp
# over 20 %, smaller anchors (the generated objects are small at this
# scale) on FPN levels P3-P5 only (P6 / P7 anchors span a whole 128x128
# crop). It shows the pipeline end to end, not the paper's magnitudes.
_base_ = ('../semi_multitask/'
          'dense-fixmatch_deeplabv3plus-retinanet_r50_4xb4-explicit-89k_'
          'cityscapes-mt-a-93.py')

data_root = 'data/synthetic/cityscapes/'
regime = 'd-8-24'
crop_size = (128, 128)
max_iters = 200
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    data_preprocessor=dict(
        data_preprocessor=dict(size=crop_size, test_cfg=dict(
            size_divisor=32))),
    model=dict(
        backbone=dict(depth=18, norm_cfg=norm_cfg, init_cfg=None),
        decode_head=dict(
            in_channels=512, c1_in_channels=64, channels=128,
            norm_cfg=norm_cfg),
        neck=dict(
            in_channels=[64, 128, 256, 512],
            out_channels=64,
            num_outs=3,
            add_extra_convs=False),
        bbox_head=dict(
            in_channels=64,
            feat_channels=64,
            stacked_convs=2,
            anchor_generator=dict(octave_base_scale=2, strides=[8, 16, 32]))))
resize = dict(_base_.random_resize, scale=(256, 128))
views = dict(_base_.multitask_views, crop_size=crop_size, resize=resize)
splits = dict(
    seg_split=f'splits/multitask/{regime}/split0/seg_labeled.txt',
    det_split=f'splits/multitask/{regime}/split0/det_labeled.txt')
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(batch_size=8, num_labeled=4),
    dataset=dict(
        labeled=dict(
            data_root=data_root,
            subset='any',
            pipeline=_base_.multitask_loading + [views],
            **splits),
        unlabeled=dict(
            data_root=data_root,
            subset='none',
            pipeline=_base_.multitask_loading + [views],
            **splits)))
val_dataloader = dict(
    num_workers=1, persistent_workers=False, dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
val_evaluator = dict(
    det_metric=dict(
        ann_file=data_root + 'annotations/multitask_gtFine_val.json'))
test_evaluator = val_evaluator
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4))
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=max_iters, max_keep_ckpts=1))
custom_hooks = [
    # the torch RNG state in checkpoints: --resume continues exactly
    dict(type='RNGStateHook'),
    dict(type='EMATeacherHook', decay=0.9),
    dict(type='UnsupWeightHook', max_weight=1.0, schedule='sigmoid',
         warmup_ratio=0.2),
    dict(type='PseudoLabelVisualizationHook', interval=50, max_samples=2),
]
env_cfg = dict(cudnn_benchmark=False)
randomness = dict(seed=0)

# CPU demo, stage 1 (supervised multi-task warm-up) of the multi-task
# learning benchmark (tools/benchmark_multitask.py): MultiTaskSegDet alone,
# DeepLabv3+ + RetinaNet on a ResNet-18 from random init, 128x128 crops,
# 4 samples per batch drawn uniformly from those labeled for at least one
# task (each task's loss over the samples labeled for it), 1500 steps.
# Setting (d) with 8 images labeled for segmentation inside 24 labeled for
# detection (48 generated train images); data preparation as in
# dense-fixmatch_deeplabv3plus-retinanet_r18_1xb8-explicit-cpu-200i_
# synthcityscapes-mt-d-8-24.py. The warm-up is the CPU stand-in for the
# paper's ImageNet-pretrained backbone: the stage-2 runs (supervised
# baseline, Dense FixMatch, FixMatch*) all start from its checkpoint.
# Same CPU-scale model and optimiser as the Dense FixMatch demo (AdamW 2e-3,
# smaller FPN / RetinaNet head and anchors, FPN levels P3-P5 only: with
# 128x128 training crops the P6 / P7 anchors (128-400 px) span the whole
# crop, and a 3000-step warm-up with them predicted full-image boxes
# scoring ~1.0 on every 256x128 test image).
_base_ = ('../semi_multitask/'
          'multitask-sup_deeplabv3plus-retinanet_r50_4xb2-89k_'
          'cityscapes-mt-d-93-744.py')

data_root = 'data/synthetic/cityscapes/'
regime = 'd-8-24'
crop_size = (128, 128)
max_iters = 1500
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    data_preprocessor=dict(size=crop_size, test_cfg=dict(size_divisor=32)),
    backbone=dict(depth=18, norm_cfg=norm_cfg, init_cfg=None),
    decode_head=dict(
        in_channels=512, c1_in_channels=64, channels=128, norm_cfg=norm_cfg),
    neck=dict(
        in_channels=[64, 128, 256, 512],
        out_channels=64,
        num_outs=3,
        add_extra_convs=False),
    bbox_head=dict(
        in_channels=64,
        feat_channels=64,
        stacked_convs=2,
        anchor_generator=dict(octave_base_scale=2, strides=[8, 16, 32])))
resize = dict(_base_.random_resize, scale=(256, 128))
supervised_pipeline = _base_.multitask_loading + [
    resize,
    # mmdet.RandomCrop takes (w, h)
    dict(
        type='mmdet.RandomCrop',
        crop_size=(crop_size[1], crop_size[0]),
        allow_negative_crop=True),
    _base_.horizontal_flip,
    dict(type='PackMultiTaskInputs'),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        subset='any',
        seg_split=f'splits/multitask/{regime}/split0/seg_labeled.txt',
        det_split=f'splits/multitask/{regime}/split0/det_labeled.txt',
        pipeline=supervised_pipeline))
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
    logger=dict(interval=25),
    checkpoint=dict(interval=max_iters, max_keep_ckpts=1))
env_cfg = dict(cudnn_benchmark=False)
randomness = dict(seed=0)

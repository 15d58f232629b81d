# Test-only: the CPU multi-task demo config shrunk to a tiny model and 32x32
# crops, implicit sampling, Lu on unlabeled samples only, DDP with
# find_unused_parameters=False; probes drop detection labels on rank 0 and
# segmentation labels on rank 1 and dump each rank's final state. Data
# (generated, with multi-task annotations and d-2-4 splits) comes from
# MMSSL_TEST_MT_ROOT.
_base_ = ('../../configs/demo/dense-fixmatch_deeplabv3plus-retinanet_r18_'
          '1xb8-explicit-cpu-200i_synthcityscapes-mt-d-8-24.py')
custom_imports = dict(imports=['mmssl', 'dist_probe', 'multitask_dist_probe'])
data_root = '{{$MMSSL_TEST_MT_ROOT:data/synthetic/cityscapes/}}'
regime = 'd-2-4'
crop_size = (32, 32)
max_iters = 4
model = dict(
    data_preprocessor=dict(data_preprocessor=dict(size=crop_size)),
    model=dict(
        backbone=dict(base_channels=8, stem_channels=8),
        decode_head=dict(in_channels=64, c1_in_channels=8, channels=16,
                         c1_channels=8),
        neck=dict(in_channels=[8, 16, 32, 64], out_channels=16),
        bbox_head=dict(in_channels=16, feat_channels=16, stacked_convs=1)),
    semi_train_cfg=dict(unsup_on='unlabeled', det_score_thr=0.05))
resize = dict(_base_.random_resize, scale=(64, 32))
views = dict(_base_.multitask_views, crop_size=crop_size, resize=resize)
splits = dict(
    seg_split=f'splits/multitask/{regime}/split0/seg_labeled.txt',
    det_split=f'splits/multitask/{regime}/split0/det_labeled.txt')
train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    sampler=dict(_delete_=True, type='ImplicitSemiSampler'),
    dataset=dict(
        labeled=dict(data_root=data_root, pipeline=_base_.multitask_loading +
                     [views], **splits),
        unlabeled=dict(data_root=data_root, pipeline=_base_.multitask_loading +
                       [views], **splits)))
# no validation: the test checks training under DDP only
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = None
test_cfg = None
test_evaluator = None
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel',
    broadcast_buffers=False,
    find_unused_parameters=False)
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters + 1)
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(interval=max_iters + 1, save_last=False, save_best=None))
custom_hooks = [
    # the torch RNG state in checkpoints: --resume continues exactly
    dict(type='RNGStateHook'),
    dict(type='TaskFlagsPerRankHook'),
    dict(type='EMATeacherHook', decay=0.9),
    dict(type='UnsupWeightHook', max_weight=1.0, schedule='sigmoid',
         warmup_iters=2),
    dict(type='PseudoLabelVisualizationHook', interval=2, max_samples=2),
    dict(type='DumpRankStateHook'),
]

# Test-only: the CPU demo Dense FixMatch config shrunk to a tiny model and
# tiny crops; data and splits come from environment variables set by tests.
_base_ = ('../../configs/demo/dense-fixmatch_deeplabv3plus_r18-d8_1xb8-'
          'explicit-cpu-300i_synthcityscapes-8.py')

data_root = '{{$MMSSL_TEST_DATA_ROOT:data/synthetic/cityscapes/}}'
labeled_ann = '{{$MMSSL_TEST_LABELED:splits/8/split0/labeled.txt}}'
unlabeled_ann = '{{$MMSSL_TEST_UNLABELED:splits/8/split0/unlabeled.txt}}'
crop_size = (32, 32)
max_iters = 3
model = dict(
    data_preprocessor=dict(data_preprocessor=dict(size=crop_size)),
    segmentor=dict(
        backbone=dict(base_channels=16, stem_channels=16),
        decode_head=dict(
            in_channels=128, c1_in_channels=16, channels=16, c1_channels=8),
        auxiliary_head=dict(in_channels=64, channels=8)))
resize = dict(_base_.random_resize, scale=(64, 32))
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    sampler=dict(batch_size=4, num_labeled=2),
    dataset=dict(
        labeled=dict(
            data_root=data_root,
            ann_file=labeled_ann,
            pipeline=_base_.labeled_loading + [
                dict(_base_.semi_views_labeled, crop_size=crop_size,
                     resize=resize)
            ]),
        unlabeled=dict(
            data_root=data_root,
            ann_file=unlabeled_ann,
            pipeline=_base_.unlabeled_loading + [
                dict(_base_.semi_views_unlabeled, crop_size=crop_size,
                     resize=resize)
            ])))
val_dataloader = dict(num_workers=0, dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(interval=1, max_keep_ckpts=5))
custom_hooks = [
    # the torch RNG state in checkpoints: --resume continues exactly
    dict(type='RNGStateHook'),
    dict(type='EMATeacherHook', decay=0.9),
    dict(type='UnsupWeightHook', max_weight=1.0, schedule='sigmoid',
         warmup_iters=4),
    dict(type='PseudoLabelVisualizationHook', interval=1, max_samples=2),
]

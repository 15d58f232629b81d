# CPU Dense FixMatch from random init: the real Dense FixMatch config with
# the small model and data of the baseline demo; 4 labeled + 4 unlabeled per
# batch, Lu on the unlabeled samples only (half the student's work of 'all';
# the paper configs too: Dense FixMatch table 3, dagger). The main job does not train this config
# from scratch (a 300-step teacher labels too badly to teach: 10.3 vs 12.2
# mIoU); it is the base of the stage-2 demo config, dense-fixmatch_
# deeplabv3plus_r18-d8_1xb8-explicit-same-cpu-sup300i-100i_synthcityscapes-8,
# which starts from the supervised warm-up with Lu on all and the same crop.
# Short run from scratch: tau = 0 (the multi-task paper's segmentation value,
# table 10; Dense FixMatch table 4 also finds tau 0 / lambda 1 best) and an
# EMA decay of 0.9 (0.99 averages over ~100 of only 300 fast-moving steps:
# measured teacher mIoU 3.1 vs student 10.5 with 0.99 and tau 0.5, and no
# pseudo-label above tau).
_base_ = ('../dense_fixmatch/'
          'dense-fixmatch_deeplabv3plus_r50-d8_4xb4-explicit-89k_'
          'cityscapes-1-32.py')

data_root = 'data/synthetic/cityscapes/'
crop_size = (128, 128)
max_iters = 300
model = dict(
    data_preprocessor=dict(data_preprocessor=dict(size=crop_size)),
    segmentor=dict(
        pretrained=None,
        backbone=dict(depth=18),
        decode_head=dict(in_channels=512, c1_in_channels=64, channels=128),
        auxiliary_head=dict(in_channels=256, channels=64)),
    semi_train_cfg=dict(unsup_on='unlabeled', pseudo_threshold=0.0))
resize = dict(_base_.random_resize, scale=(256, 128))
labeled_views = dict(
    _base_.semi_views_labeled, crop_size=crop_size, resize=resize)
unlabeled_views = dict(
    _base_.semi_views_unlabeled, crop_size=crop_size, resize=resize)
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(batch_size=8, num_labeled=4),
    dataset=dict(
        labeled=dict(
            data_root=data_root,
            ann_file='splits/8/split0/labeled.txt',
            pipeline=_base_.labeled_loading + [labeled_views]),
        unlabeled=dict(
            data_root=data_root,
            ann_file='splits/8/split0/unlabeled.txt',
            pipeline=_base_.unlabeled_loading + [unlabeled_views])))
val_dataloader = dict(
    num_workers=1, persistent_workers=False, dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
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
    checkpoint=dict(interval=max_iters, save_best=None, max_keep_ckpts=1))
custom_hooks = [
    # the torch RNG state in checkpoints: --resume continues exactly
    dict(type='RNGStateHook'),
    dict(type='EMATeacherHook', decay=0.9),
    dict(type='UnsupWeightHook', max_weight=1.0, schedule='sigmoid',
         warmup_ratio=0.2),
    dict(type='PseudoLabelVisualizationHook', interval=100, max_samples=2),
]
env_cfg = dict(cudnn_benchmark=False)
randomness = dict(seed=0)

# Test-only: the DARS CPU demo rounds shrunk to the tiny model (round 0 =
# tiny_baseline.py), 2 iterations per round; data from the environment.
_base_ = '../../configs/dars/dars_deeplabv3plus_r18-d8_1xb8-explicit-cpu-100i_synthcityscapes-8.py'

data_root = '{{$MMSSL_TEST_DATA_ROOT:data/synthetic/cityscapes/}}'
labeled_ann = '{{$MMSSL_TEST_LABELED:splits/8/split0/labeled.txt}}'
unlabeled_ann = '{{$MMSSL_TEST_UNLABELED:splits/8/split0/unlabeled.txt}}'
crop_size = (32, 32)
max_iters = 2
train_aug = [
    dict(type='RandomResize', scale=(64, 32), ratio_range=(0.5, 2.0),
         keep_ratio=True),
    dict(type='RandomRotate', prob=1.0, degree=10, pad_val=0,
         seg_pad_val=255),
    dict(type='RandomGaussianBlur', prob=0.5, kernel_size=5),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    sampler=dict(batch_size=4, num_labeled=2),
    dataset=dict(
        labeled=dict(data_root=data_root, ann_file=labeled_ann,
                     pipeline=_base_.labeled_loading + train_aug),
        unlabeled=dict(data_root=data_root, ann_file=unlabeled_ann,
                       pipeline=_base_.labeled_loading + train_aug +
                       _base_.mark_pseudo)))
val_dataloader = dict(num_workers=0, dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
pseudo_label_cfg = dict(
    labeled=dict(data_root=data_root, ann_file=labeled_ann),
    unlabeled=dict(data_root=data_root, ann_file=unlabeled_ann),
    num_chunks=4)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(base_channels=16, stem_channels=16),
    decode_head=dict(
        in_channels=128, c1_in_channels=16, channels=16, c1_channels=8),
    auxiliary_head=dict(in_channels=64, channels=8))
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=100)
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=max_iters))
dars = dict(round0_config='./tiny_baseline.py')

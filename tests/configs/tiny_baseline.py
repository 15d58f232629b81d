# Test-only: the CPU demo baseline config shrunk to a tiny model.
_base_ = '../../configs/demo/deeplabv3plus_r18-d8_1xb4-cpu-300i_synthcityscapes-8.py'

data_root = '{{$MMSSL_TEST_DATA_ROOT:data/synthetic/cityscapes/}}'
labeled_ann = '{{$MMSSL_TEST_LABELED:splits/8/split0/labeled.txt}}'
crop_size = (32, 32)
max_iters = 2
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(base_channels=16, stem_channels=16),
    decode_head=dict(
        in_channels=128, c1_in_channels=16, channels=16, c1_channels=8),
    auxiliary_head=dict(in_channels=64, channels=8))
train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    dataset=dict(
        data_root=data_root,
        ann_file=labeled_ann,
        pipeline=_base_.labeled_loading + [
            dict(_base_.random_resize, scale=(64, 32)),
            dict(type='mmdet.RandomCrop', crop_size=(32, 32),
                 allow_negative_crop=True),
            _base_.horizontal_flip,
            _base_.pack_view,
        ]))
val_dataloader = dict(num_workers=0, dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1))

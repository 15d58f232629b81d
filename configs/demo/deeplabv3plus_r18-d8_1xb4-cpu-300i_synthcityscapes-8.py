# CPU demo of the supervised baseline: the real baseline config with a small
# model (DeepLabv3+ on ResNetV1c-18, random init: no weights are downloaded)
# on the generated Cityscapes-format data (tools/gen_datasets.py), 8 labeled
# images (tools/make_splits.py --num-labeled 8), 128x128 crops, 300 iters
# of 4 labeled images (the labeled share of the Dense FixMatch demo's batch).
_base_ = '../baseline/deeplabv3plus_r50-d8_4xb2-89k_cityscapes-1-32.py'

data_root = 'data/synthetic/cityscapes/'
crop_size = (128, 128)
max_iters = 300
model = dict(
    pretrained=None,
    data_preprocessor=dict(size=crop_size),
    backbone=dict(depth=18),
    decode_head=dict(in_channels=512, c1_in_channels=64, channels=128),
    auxiliary_head=dict(in_channels=256, channels=64))
supervised_aug_demo = [
    dict(_base_.random_resize, scale=(256, 128)),
    dict(
        type='mmdet.RandomCrop',
        crop_size=(crop_size[1], crop_size[0]),
        allow_negative_crop=True),
    _base_.horizontal_flip,
    _base_.pack_view,
]
train_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        ann_file='splits/8/split0/labeled.txt',
        pipeline=_base_.labeled_loading + supervised_aug_demo))
val_dataloader = dict(
    num_workers=1, persistent_workers=False, dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
# From scratch in a few hundred steps: AdamW instead of the papers' SGD
# (which assumes an ImageNet-pretrained backbone and ~89k steps).
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
env_cfg = dict(cudnn_benchmark=False)
randomness = dict(seed=0)

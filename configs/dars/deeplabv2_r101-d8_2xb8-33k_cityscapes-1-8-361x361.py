# DARS round 0 with DeepLab-v2 (ResNet-101): Cityscapes 1/8 labeled split
# only, crop 361, 16 labeled images per batch on 2 GPUs (2 x 8), lr 0.002.
# Authors' code: config/cityscapes/train_deeplabv2_cityscapes_split8_
# crop361_round0.yaml, train_labeled_list cs_split8_labeled_match_len.txt
# (the 372 labeled images listed 2603 times), batch_size 16, epochs 200,
# only_label True: 200 * 2603 / 16 = 32,537.5 -> 32,538 iterations.
_base_ = ['./dars_deeplabv2_r101-d8_2xb4-explicit-130k_cityscapes-1-8-361x361.py']
train_dataloader = dict(
    _delete_=True,
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(_base_.labeled_dataset,
                 pipeline=_base_.labeled_loading + _base_.train_aug))
max_iters = 32538
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters))

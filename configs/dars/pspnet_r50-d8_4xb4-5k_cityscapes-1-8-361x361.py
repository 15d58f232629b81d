# DARS round 0: PSPNet-50 on the Cityscapes 1/8 labeled split only (372
# images), crop 361, 16 labeled images per batch (4 GPUs x 4), 200 epochs of
# the labeled split: 200 * 372 / 16 = 4,650 iterations (authors' code:
# config/cityscapes/train_psp50_cityscapes_split8_crop361_round0.yaml,
# train_labeled_list cs_split8_labeled.txt, batch_size 16, epochs 200,
# only_label True). Optimizer, heads' 10x lr, augmentation and test as the
# rounds (the round-k config this inherits).
_base_ = ['./dars_pspnet_r50-d8_4xb4-explicit-65k_cityscapes-1-8-361x361.py']
train_dataloader = dict(
    _delete_=True,
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=_base_.labeled_dataset)
max_iters = 4650
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters))

# DARS round 0: PSPNet-50 on the Cityscapes 1/4 labeled split only (744
# images), crop 713, 16 labeled images per batch (4 GPUs x 4), 200 epochs of
# the labeled split: 200 * 744 / 16 = 9,300 iterations (authors' code:
# config/cityscapes/train_psp50_cityscapes_split4_crop713_round0.yaml,
# batch_size 16, epochs 200, only_label True).
_base_ = ['./dars_pspnet_r50-d8_4xb4-explicit-56k_cityscapes-1-4-713x713.py']
train_dataloader = dict(
    _delete_=True,
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(_base_.labeled_dataset, ann_file=_base_.labeled_split,
                 pipeline=_base_.labeled_loading + _base_.train_aug))
max_iters = 9300
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters))

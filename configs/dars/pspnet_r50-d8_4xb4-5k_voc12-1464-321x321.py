# DARS round 0: PSPNet-50 on the 1464 labeled VOC 2012 train images only,
# crop 321, 16 labeled images per batch (4 GPUs x 4), 50 epochs of the
# labeled split: 50 * 1464 / 16 = 4,575 iterations (authors' code: config/
# voc2012/train_psp50_voc_split1464_crop321_round0.yaml, batch_size 16,
# epochs 50, only_label True).
_base_ = ['./dars_pspnet_r50-d8_4xb4-explicit-57k_voc12-1464-321x321.py']
train_dataloader = dict(
    _delete_=True,
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=_base_.labeled_dataset)
max_iters = 4575
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters))

# DARS round 0: PSPNet-50 on the Cityscapes 1/4 labeled split only (744
# images), crop 361, 4 GPUs x 4, 55,775 iterations (the rounds' schedule;
# the paper does not give round 0's).
_base_ = ['./dars_pspnet_r50-d8_4xb4-explicit-56k_cityscapes-1-4-361x361.py']
train_dataloader = dict(
    _delete_=True,
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(_base_.labeled_dataset, ann_file=_base_.labeled_split,
                 pipeline=_base_.labeled_loading + _base_.train_aug))

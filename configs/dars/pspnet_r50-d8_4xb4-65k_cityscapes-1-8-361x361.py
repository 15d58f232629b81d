# DARS round 0: PSPNet-50 on the Cityscapes 1/8 labeled split only (372
# images), crop 361, 4 GPUs x 4 labeled images. The paper does not give
# round 0's schedule: we use the rounds' 65,075 iterations (a choice).
_base_ = ['./dars_pspnet_r50-d8_4xb4-explicit-65k_cityscapes-1-8-361x361.py']
train_dataloader = dict(
    _delete_=True,
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=_base_.labeled_dataset)

# DARS round 0 with DeepLab-v2 (ResNet-101): Cityscapes 1/8 labeled split
# only, crop 713, 4 GPUs x 4, 65,075 iterations (the rounds' schedule).
_base_ = ['./dars_deeplabv2_r101-d8_4xb4-explicit-65k_cityscapes-1-8-713x713.py']
train_dataloader = dict(
    _delete_=True,
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(_base_.labeled_dataset,
                 pipeline=_base_.labeled_loading + _base_.train_aug))

# DARS round 0: PSPNet-50 on the 1464 labeled VOC 2012 train images only,
# crop 321, 4 GPUs x 4, 56,988 iterations (the rounds' schedule).
_base_ = ['./dars_pspnet_r50-d8_4xb4-explicit-57k_voc12-1464-321x321.py']
train_dataloader = dict(
    _delete_=True,
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=_base_.labeled_dataset)

# DARS round k >= 1, PSPNet-50, Cityscapes 1/8, crop 713 (the paper's main
# results, table 1). 200 * 2603 / 8 = 65,075 iterations per round.
# Sliding-window test at 713 with stride 476 (2/3, as the semseg code).
_base_ = ['../_base_/dars/pspnet_cityscapes.py']
crop_size = (713, 713)
train_aug = _base_.train_aug_before_crop + [
    dict(type='RandomCrop', crop_size=crop_size), _base_.pack
]
train_dataloader = dict(
    dataset=dict(
        labeled=dict(pipeline=_base_.labeled_loading + train_aug),
        unlabeled=dict(pipeline=_base_.labeled_loading + train_aug)))
model = dict(
    data_preprocessor=dict(size=crop_size),
    test_cfg=dict(crop_size=crop_size, stride=(476, 476)))
dars = dict(round0_config='./pspnet_r50-d8_4xb4-65k_cityscapes-1-8-713x713.py')

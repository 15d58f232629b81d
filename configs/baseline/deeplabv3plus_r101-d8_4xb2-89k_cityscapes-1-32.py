# Supervised baseline: DeepLabv3+ R101 (ImageNet-pretrained resnet101_v1c) on
# the 93 labeled images (1/32) of Cityscapes split 0; otherwise as the R50
# config.
_base_ = './deeplabv3plus_r50-d8_4xb2-89k_cityscapes-1-32.py'
model = dict(pretrained='open-mmlab://resnet101_v1c', backbone=dict(depth=101))

# DeepLabv3+ on ResNet-101-D8 (ImageNet-pretrained 'open-mmlab://resnet101_v1c').
_base_ = './deeplabv3plus_r50-d8.py'
model = dict(pretrained='open-mmlab://resnet101_v1c', backbone=dict(depth=101))

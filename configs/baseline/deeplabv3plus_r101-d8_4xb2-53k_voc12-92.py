# Supervised baseline: DeepLabv3+ R101 (ImageNet-pretrained resnet101_v1c) on
# the 92 labeled images of Pascal VOC 2012 train (split 0); otherwise as the
# R50 config.
_base_ = './deeplabv3plus_r50-d8_4xb2-53k_voc12-92.py'
model = dict(pretrained='open-mmlab://resnet101_v1c', backbone=dict(depth=101))

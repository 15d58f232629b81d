# SemiSegmentor around the model-zoo DeepLabv3+ R101.
_base_ = './semi_deeplabv3plus_r50-d8.py'
model = dict(
    segmentor=dict(
        pretrained='open-mmlab://resnet101_v1c', backbone=dict(depth=101)))

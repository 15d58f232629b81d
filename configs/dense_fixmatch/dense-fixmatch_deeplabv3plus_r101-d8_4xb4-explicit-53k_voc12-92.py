# Dense FixMatch, DeepLabv3+ R101 (ImageNet-pretrained resnet101_v1c), Pascal
# VOC 2012 92 labeled, split 0, explicit sampling 8 + 8; otherwise as the R50
# config.
_base_ = './dense-fixmatch_deeplabv3plus_r50-d8_4xb4-explicit-53k_voc12-92.py'
model = dict(
    segmentor=dict(
        pretrained='open-mmlab://resnet101_v1c', backbone=dict(depth=101)))

# Dense FixMatch, DeepLabv3+ R101 (ImageNet-pretrained resnet101_v1c from the
# model zoo), Cityscapes 1/32 (93 labeled), split 0, explicit sampling 8 + 8
# per batch (2 + 2 on each of 4 GPUs); otherwise as the R50 config.
_base_ = ('./dense-fixmatch_deeplabv3plus_r50-d8_4xb4-explicit-89k_'
          'cityscapes-1-32.py')
model = dict(
    segmentor=dict(
        pretrained='open-mmlab://resnet101_v1c', backbone=dict(depth=101)))

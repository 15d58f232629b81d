# DeepLabv3+ on ResNet-50-D8 from the mmseg model zoo (ImageNet-pretrained
# 'open-mmlab://resnet50_v1c' backbone). The papers average the
# cross-entropy over valid pixels only, so avg_non_ignore=True (mmseg's
# default divides by all pixels, ignored ones included).
_base_ = 'mmseg::_base_/models/deeplabv3plus_r50-d8.py'
model = dict(
    decode_head=dict(
        loss_decode=dict(
            type='CrossEntropyLoss',
            use_sigmoid=False,
            loss_weight=1.0,
            avg_non_ignore=True)),
    auxiliary_head=dict(
        loss_decode=dict(
            type='CrossEntropyLoss',
            use_sigmoid=False,
            loss_weight=0.4,
            avg_non_ignore=True)),
    test_cfg=dict(mode='whole'))

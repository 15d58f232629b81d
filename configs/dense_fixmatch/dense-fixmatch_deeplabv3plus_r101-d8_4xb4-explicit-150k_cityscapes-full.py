# Dense FixMatch, DeepLabv3+ R101, Cityscapes full (2975 labeled + 19,998
# train_extra unlabeled), explicit sampling 8 + 8, 150k iterations, 60-epoch
# ramp-up, Lu on all samples (table 3's best); otherwise as the R50 config.
_base_ = ('./dense-fixmatch_deeplabv3plus_r50-d8_4xb4-explicit-150k_'
          'cityscapes-full.py')
model = dict(
    segmentor=dict(
        pretrained='open-mmlab://resnet101_v1c', backbone=dict(depth=101)))

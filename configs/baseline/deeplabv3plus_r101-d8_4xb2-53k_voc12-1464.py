# Supervised baseline: DeepLabv3+ R101 on all 1464 images of the original train
# set of Pascal VOC 2012 (split 0); otherwise as the 92-label config.
_base_ = './deeplabv3plus_r101-d8_4xb2-53k_voc12-92.py'
train_dataloader = dict(
    dataset=dict(ann_file='splits/1464/split0/labeled.txt'))

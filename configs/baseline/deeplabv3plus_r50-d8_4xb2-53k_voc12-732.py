# Supervised baseline: DeepLabv3+ R50 on 732 labeled images of the original
# train set of Pascal VOC 2012 (split 0); otherwise as the 92-label config.
_base_ = './deeplabv3plus_r50-d8_4xb2-53k_voc12-92.py'
train_dataloader = dict(
    dataset=dict(ann_file='splits/732/split0/labeled.txt'))

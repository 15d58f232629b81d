# Supervised baseline: DeepLabv3+ R50 on the 744 labeled images (1/4) of
# Cityscapes split 0; otherwise as the 1/32 config.
_base_ = './deeplabv3plus_r50-d8_4xb2-89k_cityscapes-1-32.py'
train_dataloader = dict(
    dataset=dict(ann_file='splits/1-4/split0/labeled.txt'))

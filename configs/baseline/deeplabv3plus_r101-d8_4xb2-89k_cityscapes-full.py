# Supervised baseline: DeepLabv3+ R101 on all 2975 train images (full) of
# Cityscapes split 0; otherwise as the 1/32 config. Same 89,250 iterations as
# the other regimes (Dense FixMatch table 1, "All" column).
_base_ = './deeplabv3plus_r101-d8_4xb2-89k_cityscapes-1-32.py'
train_dataloader = dict(
    dataset=dict(ann_file='splits/full/split0/labeled.txt'))

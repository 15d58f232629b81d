# Cutout mean teacher (French et al.), DeepLab-v2 R101-D8, Cityscapes 100 labeled, the other 2875 train
# images unlabeled, split 0; otherwise as the 372 (1-8) config.
_base_ = './cutout-mt_deeplabv2_r101-d8_1xb8-explicit-40k_cityscapes-1-8.py'
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/100/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/100/split0/unlabeled.txt')))

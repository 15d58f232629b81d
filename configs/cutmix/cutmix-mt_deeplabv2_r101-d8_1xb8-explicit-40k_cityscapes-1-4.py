# CutMix mean teacher (French et al.), DeepLab-v2 R101-D8, Cityscapes 744 labeled (regime 1-4), the other 2231 train
# images unlabeled, split 0; otherwise as the 372 (1-8) config.
_base_ = './cutmix-mt_deeplabv2_r101-d8_1xb8-explicit-40k_cityscapes-1-8.py'
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/1-4/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/1-4/split0/unlabeled.txt')))

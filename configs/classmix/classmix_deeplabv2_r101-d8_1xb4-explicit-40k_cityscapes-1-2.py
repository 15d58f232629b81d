# ClassMix, DeepLab-v2 R101-D8, Cityscapes 1/2 (1488 labeled, the other 1487 train images unlabeled), split 0; otherwise as the 1/8 config.
_base_ = './classmix_deeplabv2_r101-d8_1xb4-explicit-40k_cityscapes-1-8.py'
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/1-2/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/1-2/split0/unlabeled.txt')))

# ClassMix, DeepLab-v2 R101-D8, Cityscapes all 2975 train images labeled and the same
# images unlabeled (the paper reports only the supervised baseline here;
# regime `all` of tools/make_splits.py), split 0; otherwise as the 1/8 config.
_base_ = './classmix_deeplabv2_r101-d8_1xb4-explicit-40k_cityscapes-1-8.py'
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/all/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/all/split0/unlabeled.txt')))

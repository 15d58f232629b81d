# CutMix mean teacher (French et al.), DeepLab-v2 R101-D8, Cityscapes "All": the 2975 train
# images labeled and also used unlabeled (regime `all`, as French et al.'s
# unsupervised set), split 0; otherwise as the 372 (1-8) config.
_base_ = './cutmix-mt_deeplabv2_r101-d8_1xb8-explicit-40k_cityscapes-1-8.py'
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/all/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/all/split0/unlabeled.txt')))

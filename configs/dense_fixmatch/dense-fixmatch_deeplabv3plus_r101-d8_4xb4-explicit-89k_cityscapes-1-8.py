# Dense FixMatch, DeepLabv3+ R101, Cityscapes 1/8 (372 labeled, the other 2603
# train images unlabeled), split 0, explicit sampling; otherwise as the 1/32
# config.
_base_ = ('./dense-fixmatch_deeplabv3plus_r101-d8_4xb4-explicit-89k_'
          'cityscapes-1-32.py')
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/1-8/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/1-8/split0/unlabeled.txt')))

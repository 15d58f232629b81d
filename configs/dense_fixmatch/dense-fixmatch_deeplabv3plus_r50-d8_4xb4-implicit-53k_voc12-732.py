# Dense FixMatch, DeepLabv3+ R50, Pascal VOC 2012: 732 labeled images of the
# original train set, the aug set minus those unlabeled, split 0, implicit
# sampling; otherwise as the 92-label config.
_base_ = './dense-fixmatch_deeplabv3plus_r50-d8_4xb4-implicit-53k_voc12-92.py'
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/732/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/732/split0/unlabeled.txt')))

# Dense FixMatch, DeepLabv3+ R50, Cityscapes 1/16 (186 labeled, the other 2789
# train images unlabeled), split 0, implicit sampling; otherwise as the 1/32
# config.
_base_ = ('./dense-fixmatch_deeplabv3plus_r50-d8_4xb4-implicit-89k_'
          'cityscapes-1-32.py')
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/1-16/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/1-16/split0/unlabeled.txt')))

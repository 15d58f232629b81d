# Dense FixMatch, DeepLabv3+ R101, Pascal VOC 2012 92 labeled, split 0,
# implicit sampling: 16 per batch (4 on each of 4 GPUs) drawn uniformly from
# labeled + unlabeled; otherwise as the R101 explicit config.
_base_ = './dense-fixmatch_deeplabv3plus_r101-d8_4xb4-explicit-53k_voc12-92.py'
train_dataloader = dict(
    sampler=dict(_delete_=True, type='ImplicitSemiSampler', shuffle=True))

# FixMatch*, DeepLabv3+ R50, Cityscapes full (2975 labeled + 19,998 train_extra
# unlabeled), implicit sampling: 16 per batch (4 on each of 4 GPUs) drawn
# uniformly from the pool (~13 % labeled); otherwise as the explicit config
# (150k iterations, 60-epoch ramp-up, Lu on all samples).
_base_ = ('./fixmatch-star_deeplabv3plus_r50-d8_4xb4-explicit-150k_'
          'cityscapes-full.py')
train_dataloader = dict(
    sampler=dict(_delete_=True, type='ImplicitSemiSampler', shuffle=True))

# Dense FixMatch, DeepLabv3+ R50, Cityscapes 1/32 (93 labeled), split 0,
# implicit sampling: 16 samples per batch (4 on each of 4 GPUs) drawn uniformly
# from labeled + unlabeled, so the labeled count per batch varies (about 3 % of
# the pool is labeled here) (paper sec. 4, multi-task paper table 10).
# Otherwise as the explicit config (Lu on the unlabeled samples only, table
# 3 dagger; 60-epoch lambda warm-up).
_base_ = ('./dense-fixmatch_deeplabv3plus_r50-d8_4xb4-explicit-89k_'
          'cityscapes-1-32.py')
train_dataloader = dict(
    sampler=dict(_delete_=True, type='ImplicitSemiSampler', shuffle=True))

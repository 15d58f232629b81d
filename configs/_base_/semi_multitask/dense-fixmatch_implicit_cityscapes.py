# Dense FixMatch multi-task, implicit sampling: 16 per batch (4 per GPU on
# 4 GPUs) drawn uniformly from all training samples, labeled or not.
_base_ = './dense-fixmatch_explicit_cityscapes.py'
train_dataloader = dict(
    sampler=dict(_delete_=True, type='ImplicitSemiSampler', shuffle=True))

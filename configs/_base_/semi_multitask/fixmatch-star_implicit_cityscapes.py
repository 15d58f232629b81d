# FixMatch* multi-task, implicit sampling (16 uniform per batch).
_base_ = './fixmatch-star_explicit_cityscapes.py'
train_dataloader = dict(
    sampler=dict(_delete_=True, type='ImplicitSemiSampler', shuffle=True))

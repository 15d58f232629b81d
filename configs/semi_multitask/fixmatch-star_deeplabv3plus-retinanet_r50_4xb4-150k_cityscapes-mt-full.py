# FixMatch* multi-task, full Cityscapes without extra data (table 4, column
# "train"): the unsupervised loss as a regulariser on the 2,975 labeled
# images themselves (Lu on all samples), 16 per batch (4 per GPU on 4 GPUs)
# drawn uniformly from train; no unlabeled set, so no semi sampler.
_base_ = '../_base_/semi_multitask/fixmatch-star_explicit_cityscapes-full.py'
train_dataloader = dict(
    _delete_=True,
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        _base_.train_dataset,
        subset='all',
        seg_split=None,
        det_split=None,
        pipeline=_base_.unlabeled_pipeline))

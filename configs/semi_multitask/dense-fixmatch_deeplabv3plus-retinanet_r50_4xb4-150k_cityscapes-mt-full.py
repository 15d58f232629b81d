# Dense FixMatch multi-task, full Cityscapes without extra data (table 4, column
# "train"): the unsupervised loss as a regulariser on the 2,975 labeled
# images themselves (Lu on all samples), 16 per batch (4 per GPU on 4 GPUs)
# drawn uniformly from train; no unlabeled set, so no semi sampler.
_base_ = '../_base_/semi_multitask/dense-fixmatch_explicit_cityscapes-full.py'
train_dataloader = dict(_base_.train_only_loader, _delete_=True)

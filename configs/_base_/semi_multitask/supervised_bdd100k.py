# Supervised baselines on BDD100K (multi-task paper sec. 4.3, table 7):
# MultiTaskSegDet alone (10 detection classes), 8 per batch (2 per GPU on 4
# GPUs) drawn uniformly from the partially labeled samples (leaves choose
# the subset), weak-view augmentation, each task's loss over the samples
# labeled for it, ~300k steps; the rest as supervised_cityscapes.py.
_base_ = [
    '../models/multitask_deeplabv3plus-retinanet_r50.py',
    '../datasets/semi_multitask_bdd100k.py',
    '../schedules/sgd-poly_89k.py',
    '../default_runtime.py',
]
max_iters = 300000
model = dict(bbox_head=dict(num_classes=10))
train_dataloader = dict(_base_.supervised_dataloader, _delete_=True)
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=0.0,
        power=0.9,
        begin=0,
        end=max_iters,
        by_epoch=False)
]
train_cfg = dict(max_iters=max_iters)
default_hooks = dict(
    checkpoint=dict(save_best='multitask/gmean', rule='greater'))

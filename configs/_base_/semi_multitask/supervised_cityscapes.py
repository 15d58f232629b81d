# Supervised multi-task baseline (sec. 4): MultiTaskSegDet alone, 8 per
# batch (2 per GPU on 4 GPUs) drawn uniformly from the samples labeled for
# at least one task, weak-view augmentation (scale 0.5-2, 800x800 crop,
# flip); each task's loss over the samples labeled for it, zero for the
# others (UberNet). SGD lr 0.001 poly 0.9 Nesterov wd 5e-4, 89,250 steps;
# no EMA (the paper evaluates EMA weights for its semi-supervised runs; for
# the baseline it is silent: we evaluate the trained weights).
_base_ = [
    '../models/multitask_deeplabv3plus-retinanet_r50.py',
    '../datasets/semi_multitask_cityscapes.py',
    '../schedules/sgd-poly_89k.py',
    '../default_runtime.py',
]
train_dataloader = dict(_base_.supervised_dataloader, _delete_=True)
default_hooks = dict(
    checkpoint=dict(save_best='multitask/gmean', rule='greater'))

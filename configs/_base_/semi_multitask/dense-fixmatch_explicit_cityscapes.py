# Dense FixMatch multi-task, Cityscapes low-data settings (sec. 4.1):
# DeepLabv3+ + RetinaNet R50, explicit sampling 8 + 8 (2 + 2 per GPU on 4
# GPUs), "labeled" = labeled for at least one task, 800x800 crops, scale
# 0.5-2, SGD lr 0.001 poly 0.9 Nesterov wd 5e-4, 89,250 steps, EMA 0.99,
# lambda ramp over 5 %, Lu on all samples, best checkpoint by
# multitask/gmean (EMA teacher). Leaf configs set the split files.
_base_ = [
    '../models/semi_multitask_deeplabv3plus-retinanet_r50.py',
    '../datasets/semi_multitask_cityscapes.py',
    '../schedules/sgd-poly_89k.py',
    '../default_runtime.py',
    '../semi_hooks.py',
]
default_hooks = dict(
    checkpoint=dict(save_best='multitask/gmean', rule='greater'))

# Dense FixMatch multi-task on BDD100K (multi-task paper sec. 4.3, table 7): the
# merged 100K detection + 10K segmentation training set
# (tools/convert_bdd100k.py), explicit sampling 8 + 8 with the fully
# labeled images as the first part (datasets/semi_multitask_bdd100k.py),
# 10 detection classes, "roughly 300k steps", lambda ramp over 10 % (table
# 10 for 4.3), Lu on all samples, the rest as the Cityscapes configs (R50,
# 800x800 crops, SGD lr 0.001 poly 0.9 Nesterov wd 5e-4, EMA 0.99, best
# checkpoint by multitask/gmean of the EMA teacher).
_base_ = [
    '../models/semi_multitask_deeplabv3plus-retinanet_r50.py',
    '../datasets/semi_multitask_bdd100k.py',
    '../schedules/sgd-poly_89k.py',
    '../default_runtime.py',
    '../semi_hooks.py',
]
max_iters = 300000
model = dict(model=dict(bbox_head=dict(num_classes=10)))
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
custom_hooks = [
    # the torch RNG state in checkpoints: --resume continues exactly
    dict(type='RNGStateHook'),
    dict(type='EMATeacherHook', decay=0.99, update_buffers=True),
    dict(
        type='UnsupWeightHook',
        max_weight=1.0,
        schedule='sigmoid',
        warmup_ratio=0.1),
    dict(type='PseudoLabelVisualizationHook', interval=2000, max_samples=2),
]

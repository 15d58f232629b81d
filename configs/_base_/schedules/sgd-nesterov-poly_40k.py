# ClassMix (sec. 4.1): 40k iterations of SGD with Nesterov momentum 0.9,
# lr 2.5e-4, weight decay 5e-4, poly decay (power 0.9). The classifier (the
# DeepLab-v2 head) learns at 10x the base lr, as in ClassMix's DeepLab-v2 code
# (optimizer param group 1 = 10 * lr; not stated in the paper). Evaluation and
# checkpoints every 5000 iterations (ClassMix's public config).
max_iters = 40000
optimizer = dict(
    type='SGD', lr=2.5e-4, momentum=0.9, nesterov=True, weight_decay=5e-4)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=optimizer,
    clip_grad=None,
    paramwise_cfg=dict(custom_keys=dict(decode_head=dict(lr_mult=10.0))))
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=0.0,
        power=0.9,
        begin=0,
        end=max_iters,
        by_epoch=False)
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=5000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook',
        by_epoch=False,
        interval=5000,
        max_keep_ckpts=3,
        save_best='mIoU',
        rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))

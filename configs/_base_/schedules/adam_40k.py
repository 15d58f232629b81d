# French et al. (D.4.1): Adam, lr 3e-5 (DeepLab-v2; table 5 for other
# networks), 40k iterations (their script: 40 epochs x 1000 iterations).
# From their code, not the paper: the pretrained backbone learns at 0.1x the
# lr (optimizer groups pretrained_parameters at lr * 0.1), no weight decay
# (torch Adam default), and no lr schedule (`--lr_sched` defaults to none):
# constant lr, so there is no param_scheduler here. Evaluation and
# checkpoints every 4000 iterations (choice).
max_iters = 40000
optimizer = dict(type='Adam', lr=3e-5, betas=(0.9, 0.999), weight_decay=0.0)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=optimizer,
    clip_grad=None,
    paramwise_cfg=dict(custom_keys=dict(backbone=dict(lr_mult=0.1))))
param_scheduler = []
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=4000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook',
        by_epoch=False,
        interval=4000,
        max_keep_ckpts=3,
        save_best='mIoU',
        rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))

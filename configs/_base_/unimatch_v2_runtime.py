# UniMatch V2's optimiser, evaluation and hooks (LiheYoung/UniMatch-V2,
# unimatch_v2.py), shared by configs/unimatch_v2/. Each config sets the
# schedule's length (param_scheduler end, train_cfg) from its split.
# - "AdamW([{backbone params, 'lr': cfg['lr']}, {other params, 'lr':
#   cfg['lr'] * cfg['lr_multi']}], lr=cfg['lr'], betas=(0.9, 0.999),
#   weight_decay=0.01)" with "lr: 0.000005", "lr_multi: 40.0" (all four
#   yamls): every parameter outside the encoder at 40x, weight decay on all;
# - "lr = cfg['lr'] * (1 - iters / total_iters) ** 0.9" per iteration;
# - "evaluate(model, ...)" and "evaluate(model_ema, ...)" after every epoch:
#   mmdet's TeacherStudentValLoop evaluates the student and the teacher;
# - the EMA teacher "ema_ratio = min(1 - 1 / (iters + 1), 0.996)" over
#   parameters and buffers.
_base_ = './default_runtime.py'

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=5e-6, betas=(0.9, 0.999), weight_decay=0.01),
    paramwise_cfg=dict(custom_keys={'student.decode_head': dict(
        lr_mult=40.0)}),
    clip_grad=None)
val_cfg = dict(type='mmdet.TeacherStudentValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook',
        by_epoch=False,
        max_keep_ckpts=2,
        # the official keeps best.pth by the student's mIoU
        save_best='student/mIoU',
        rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
custom_hooks = [
    # the torch RNG state in checkpoints: --resume continues exactly
    # (Complementary Dropout, CutMix boxes draw from it)
    dict(type='RNGStateHook'),
    dict(type='EMATeacherHook', decay=0.996, mean_start=True),
    dict(type='PseudoLabelVisualizationHook', interval=2000, max_samples=2),
]

# CPU demo, stage 2 of the supervised multi-task arm of
# tools/benchmark_multitask.py: the warm-up model
# (multitask-sup_deeplabv3plus-retinanet_r18_1xb4-cpu-1500i_synthcityscapes-
# mt-d-8-24.py, 1500 supervised steps from random init) continues for 300
# steps on the same labeled samples (4 per batch, labeled for at least one
# task), half the warm-up learning rate. The Dense FixMatch and FixMatch*
# stage-2 configs start from the same checkpoint with the same labeled
# batch size, learning rate and step count; only they see the unlabeled
# images. The benchmark points model.init_cfg.checkpoint at its own
# warm-up run.
_base_ = ('./multitask-sup_deeplabv3plus-retinanet_r18_1xb4-cpu-1500i_'
          'synthcityscapes-mt-d-8-24.py')

max_iters = 300
warmup_checkpoint = 'work_dirs/demo/multitask_sup_1500i/iter_1500.pth'
model = dict(init_cfg=dict(type='Pretrained', checkpoint=warmup_checkpoint))
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=max_iters))

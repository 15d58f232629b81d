# CPU demo, stage 2 of the supervised arm: the baseline demo model continues
# for 100 more iterations on the 8 labeled images, starting from the stage-1
# checkpoint (300 supervised iterations from scratch, the sibling config
# deeplabv3plus_r18-d8_1xb4-cpu-300i_synthcityscapes-8.py).
# The supervised warm-up is the CPU stand-in for the papers'
# ImageNet-pretrained backbone: both arms of the demo (this config and the
# Dense FixMatch one) start from the same weights, take the same number of
# steps with the same labeled batches and learning rate, and only the
# Dense FixMatch arm sees the unlabeled images. tools/run_demo.sh and
# tools/benchmark_learning.py point model.init_cfg.checkpoint at their own
# stage-1 run.
_base_ = './deeplabv3plus_r18-d8_1xb4-cpu-300i_synthcityscapes-8.py'

max_iters = 100
warmup_checkpoint = 'work_dirs/demo/supervised_300i/iter_300.pth'
model = dict(init_cfg=dict(type='Pretrained', checkpoint=warmup_checkpoint))
# half the stage-1 learning rate: the weights are already trained
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters))

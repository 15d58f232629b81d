# Supervised DeepLabv3+ of the CPU benchmark in the papers' regime (issue
# 17, tools/benchmark_regime.py): the real supervised baseline config
# (random rescale 0.5-2.0, crop, flip; cross-entropy over valid pixels) with
# the CPU model of configs/_base_/cpu_benchmark.py, its backbone from the
# CPU pretraining stand-in (tools/pretrain_backbone.py), 128x128 crops of
# the 256x128 generated images, 4 per batch (the labeled share of the
# semi-supervised arms' batch). Three roles, by --cfg-options:
# * stage 1: 600 steps on the labeled split from the pretrained backbone
#   (as is);
# * the supervised baseline arm: 150 more steps from the stage-1
#   checkpoint (model.init_cfg=Pretrained), the same labeled batches,
#   optimiser and schedule as every semi-supervised arm;
# * the all-label reference: 750 steps on all 96 train images
#   (train_dataloader.dataset.ann_file='').
_base_ = [
    '../baseline/deeplabv3plus_r50-d8_4xb2-89k_cityscapes-1-32.py',
    '../_base_/cpu_benchmark.py'
]

max_iters = _base_.cpu_stage1_iters
model = dict(
    data_preprocessor=dict(size=_base_.cpu_crop_size),
    **_base_.cpu_segmentor)
supervised_aug_cpu = [
    dict(_base_.random_resize, scale=(256, 128)),
    dict(
        type='mmdet.RandomCrop',
        crop_size=_base_.cpu_crop_size[::-1],
        allow_negative_crop=True),
    _base_.horizontal_flip,
    _base_.pack_view,
]
train_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(
        data_root=_base_.cpu_data_root,
        ann_file=_base_.cpu_split + '/labeled.txt',
        pipeline=_base_.labeled_loading + supervised_aug_cpu))
val_dataloader = _base_.cpu_eval_data
test_dataloader = val_dataloader
# AdamW 4e-3 (configs/_base_/cpu_benchmark.py says why): a few hundred
# steps; the papers' SGD schedule assumes tens of thousands.
optim_wrapper = dict(_delete_=True, **_base_.cpu_optim_wrapper)
param_scheduler = _base_.cpu_stage1_param_scheduler
train_cfg = _base_.cpu_stage1_train_cfg
default_hooks = _base_.cpu_stage1_default_hooks
env_cfg = dict(cudnn_benchmark=False)
randomness = dict(seed=0)

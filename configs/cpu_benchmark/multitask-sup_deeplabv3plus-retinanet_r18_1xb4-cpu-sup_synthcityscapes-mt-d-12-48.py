# Supervised multi-task model (DeepLabv3+ and a one-stage detector on one
# ResNet-18) of the CPU benchmark in the papers' regime (issue 17,
# tools/benchmark_regime.py): the CPU multi-task demo config with the
# regime's data (dataset <d>, 96 train / 32 val images, class tint 0.5;
# boxes from the instance maps, tools/convert_cityscapes_boxes.py), its
# learning rate, its pretrained backbone and the multi-task network of
# configs/_base_/cpu_benchmark.py (cpu_mt_*: ATSS head, and why). Setting
# (d) of the multi-task paper (table 3: S images labeled for segmentation
# inside D labeled for detection) with S = 12 (the single-task 1/8 split's
# images: tools/make_splits.py --multitask nests them) and D = 48. Two
# roles, by --cfg-options:
# * multi-task stage 1: 4500 steps from the pretrained backbone (as is;
#   configs/_base_/cpu_benchmark.py says why not 600 or 1500);
# * the multi-task supervised baseline arm: 150 more steps from the stage-1
#   checkpoint (model.init_cfg=Pretrained) with the labeled batches,
#   optimiser and schedule of the semi-supervised multi-task arms.
_base_ = [
    '../demo/multitask-sup_deeplabv3plus-retinanet_r18_1xb4-cpu-1500i_'
    'synthcityscapes-mt-d-8-24.py', '../_base_/cpu_benchmark.py'
]

max_iters = _base_.cpu_mt_stage1_iters
model = _base_.cpu_mt_network
train_dataloader = dict(
    dataset=dict(data_root=_base_.cpu_data_root, **_base_.cpu_mt_splits))
val_dataloader = _base_.cpu_mt_eval['val_dataloader']
test_dataloader = val_dataloader
val_evaluator = _base_.cpu_mt_eval['evaluator']
test_evaluator = val_evaluator
# AdamW 4e-3, as the single-task configs of this benchmark
# (configs/_base_/cpu_benchmark.py says why).
optim_wrapper = dict(_delete_=True, **_base_.cpu_optim_wrapper)
param_scheduler = [dict(_base_.cpu_stage1_param_scheduler[0], end=max_iters)]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(
    _base_.cpu_stage1_default_hooks,
    checkpoint=dict(
        _base_.cpu_stage1_default_hooks['checkpoint'], interval=max_iters))

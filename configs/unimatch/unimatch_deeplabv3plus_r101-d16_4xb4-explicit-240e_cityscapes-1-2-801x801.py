# UniMatch, DeepLabv3+ R101, Cityscapes 1/2 (1488 labeled; paper table 3);
# otherwise as the 1/16 config: 240 epochs over the 2975 - 1488 unlabeled
# images at 2 per GPU on 4 GPUs.
_base_ = ('./unimatch_deeplabv3plus_r101-d16_4xb4-explicit-240e_'
          'cityscapes-1-16-801x801.py')
num_labeled = 1488
num_unlabeled = 2975 - num_labeled
iters_per_epoch = -(-num_unlabeled // 4) // 2
max_iters = _base_.epochs * iters_per_epoch
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/1-2/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/1-2/split0/unlabeled.txt')))
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=0.0,
        power=0.9,
        begin=0,
        end=max_iters,
        by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=iters_per_epoch)
default_hooks = dict(checkpoint=dict(interval=iters_per_epoch))

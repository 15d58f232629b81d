# UniMatch, DeepLabv3+ R101, Pascal VOC 2012 classic split, 1464 labeled images
# (paper table 1); otherwise as the 92-label config: 80 epochs over the
# 10582 - 1464 unlabeled images at 2 per GPU on 4 GPUs.
_base_ = './unimatch_deeplabv3plus_r101-d16_4xb4-explicit-80e_voc12-92-321x321.py'
num_labeled = 1464
num_unlabeled = 10582 - num_labeled
iters_per_epoch = -(-num_unlabeled // 4) // 2
max_iters = _base_.epochs * iters_per_epoch
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/1464/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/1464/split0/unlabeled.txt')))
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

# UniMatch (Yang et al., CVPR 2023, arXiv:2208.09910), DeepLabv3+ R101,
# Pascal VOC 2012 classic split, 92 labeled images (paper table 1; official
# configs/pascal.yaml, scripts/train.sh, unimatch.py). Run on 4 GPUs:
#   bash tools/dist_train.sh CONFIG 4
# Settings quoted from the official repository (LiheYoung/UniMatch):
# - "batch_size: 2 # per GPU x 4 GPUs": 2 labeled + 2 unlabeled per GPU;
# - "crop_size: 321", resize (0.5, 2.0), one crop + flip for all views;
# - "epochs: 80" over the unlabeled loader: total_iters =
#   len(trainloader_u) * epochs, len = ceil(10490 / 4) // 2 = 1311 for the
#   10,490 unlabeled images of this split -> 104,880 iterations;
# - "lr: 0.001", "lr_multi: 10.0" (every non-backbone parameter at 10x),
#   SGD(momentum=0.9, weight_decay=1e-4), lr = lr * (1 - iters /
#   total_iters) ** 0.9 per iteration;
# - "criterion: CELoss, ignore_index: 255" for the labeled loss;
# - "conf_thresh: 0.95"; loss = (loss_x + 0.25 loss_u_s1 + 0.25 loss_u_s2
#   + 0.5 loss_u_w_fp) / 2 (model base);
# - SyncBN (torch.nn.SyncBatchNorm.convert_sync_batchnorm), DDP with
#   find_unused_parameters=False;
# - evaluation on the whole image ("eval_mode = 'original'") every epoch.
# Not the official's: see configs/_base_/models/unimatch_deeplabv3plus_
# r101-d16.py (decoder convolutions, stem) and docs/unimatch.md (mixing
# partners from the same batch). Splits: tools/make_splits.py --dataset voc
# (split0 here); the official lists (splits/pascal/92/*.txt) can be used
# instead by pointing ann_file at them.
_base_ = [
    '../_base_/models/unimatch_deeplabv3plus_r101-d16.py',
    '../_base_/datasets/unimatch_voc12.py',
    '../_base_/default_runtime.py',
]
num_labeled = 92
num_unlabeled = 10582 - num_labeled
epochs = 80
iters_per_epoch = -(-num_unlabeled // 4) // 2  # ceil(N_u / 4 GPUs) // 2
max_iters = epochs * iters_per_epoch  # 104,880

model = dict(
    data_preprocessor=dict(data_preprocessor=dict(size=(321, 321))),
    segmentor=dict(decode_head=dict(num_classes=21)),
    semi_train_cfg=dict(pseudo_threshold=0.95))
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/92/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/92/split0/unlabeled.txt')))

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.001, momentum=0.9, weight_decay=1e-4),
    # lr_multi 10 for every parameter outside the backbone
    paramwise_cfg=dict(custom_keys={'student.decode_head': dict(lr_mult=10.0)}),
    clip_grad=None)
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
    type='IterBasedTrainLoop', max_iters=max_iters,
    val_interval=iters_per_epoch)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook',
        by_epoch=False,
        interval=iters_per_epoch,
        max_keep_ckpts=2,
        save_best='mIoU',
        rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
# no EMA teacher (the model labels itself) and no lambda ramp
custom_hooks = [
    # the torch RNG state in checkpoints: --resume continues exactly
    # (feature dropout, CutMix boxes and partners draw from it)
    dict(type='RNGStateHook'),
    dict(type='PseudoLabelVisualizationHook', interval=2000, max_samples=2),
]

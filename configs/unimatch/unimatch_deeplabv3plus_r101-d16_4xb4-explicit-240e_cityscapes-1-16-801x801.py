# UniMatch (Yang et al., CVPR 2023, arXiv:2208.09910), DeepLabv3+ R101,
# Cityscapes 1/16 (186 labeled of the 2975 train images; paper table 3;
# official configs/cityscapes.yaml, unimatch.py). Run on 4 GPUs:
#   bash tools/dist_train.sh CONFIG 4
# Settings quoted from the official repository (LiheYoung/UniMatch):
# - "batch_size: 2 # per GPU x 4 GPUs": 2 labeled + 2 unlabeled per GPU;
# - "crop_size: 801", resize (0.5, 2.0), one crop + flip for all views;
# - "epochs: 240" over the unlabeled loader: len(trainloader_u) =
#   ceil(2789 / 4) // 2 = 349 -> 83,760 iterations;
# - "lr: 0.005", "lr_multi: 1.0", SGD(momentum=0.9, weight_decay=1e-4),
#   poly 0.9 per iteration;
# - "criterion: OHEM, thresh: 0.7, min_kept: 200000" on the labeled loss
#   (ProbOhemCrossEntropy2d over the per-GPU batch of 2): mmseg's
#   OHEMPixelSampler keeps min_kept PER IMAGE, so 100000 here; it averages
#   the kept pixels' loss over all valid pixels (the official: over the kept
#   ones). UniMatch applies the sampler to the labeled loss only (the
#   official unsupervised criterion is a plain cross-entropy);
# - "conf_thresh: 0";
# - evaluation 'sliding_window', 801x801 windows, stride 534.
# Not the official's: see the model base and docs/unimatch.md.
_base_ = [
    '../_base_/models/unimatch_deeplabv3plus_r101-d16.py',
    '../_base_/datasets/unimatch_cityscapes.py',
    '../_base_/default_runtime.py',
]
num_labeled = 186
num_unlabeled = 2975 - num_labeled
epochs = 240
iters_per_epoch = -(-num_unlabeled // 4) // 2  # ceil(N_u / 4 GPUs) // 2
max_iters = epochs * iters_per_epoch  # 83,760

model = dict(
    data_preprocessor=dict(data_preprocessor=dict(size=(801, 801))),
    segmentor=dict(
        decode_head=dict(
            num_classes=19,
            sampler=dict(
                type='OHEMPixelSampler', thresh=0.7, min_kept=100000)),
        test_cfg=dict(mode='slide', crop_size=(801, 801), stride=(534, 534))),
    semi_train_cfg=dict(pseudo_threshold=0.0))
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/1-16/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/1-16/split0/unlabeled.txt')))

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.005, momentum=0.9, weight_decay=1e-4),
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
custom_hooks = [
    # the torch RNG state in checkpoints: --resume continues exactly
    # (feature dropout, CutMix boxes and partners draw from it)
    dict(type='RNGStateHook'),
    dict(type='PseudoLabelVisualizationHook', interval=2000, max_samples=2),
]

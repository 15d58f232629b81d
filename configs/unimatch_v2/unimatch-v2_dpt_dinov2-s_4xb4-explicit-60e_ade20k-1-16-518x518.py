# UniMatch V2 (Yang et al., TPAMI 2025, arXiv:2410.10777), DINOv2-S
# (ViT-S/14) + DPT, ADE20K, 1263 labeled images (split 1-16;
# unlabeled: the rest of the 20,210 training images).
# Official: LiheYoung/UniMatch-V2 configs/ade20k.yaml,
# scripts/train.sh, unimatch_v2.py
# ("backbone: dinov2_small"; the README's tables use DINOv2-Base).
# Run on 4 GPUs, as the official ("the <num_gpu> should be set as 4 on all
# four datasets"):
#   bash tools/dist_train.sh CONFIG 4
# Settings quoted from the official code:
# - "batch_size: 2 # per GPU x 4 GPUs": 2 labeled + 2 unlabeled per GPU;
# - "crop_size: 518", "epochs: 60" over the unlabeled loader:
#   total_iters = len(trainloader_u) * epochs, len = ceil(N_u / 4 GPUs)
#   // 2 (DistributedSampler, drop_last=True), N_u = 18947;
# - AdamW lr 5e-6, x40 outside the encoder, poly 0.9, EMA teacher, both
#   models evaluated every epoch: ../_base_/unimatch_v2_runtime.py;
# - "conf_thresh: 0.95", Complementary Dropout, CutMix with the reversed
#   batch, loss (Lx + (Ls1 + Ls2) / 2) / 2:
#   ../_base_/models/unimatch_v2_dpt_dinov2-s.py;
# - "lock_backbone: True": the encoder is frozen (frozen_exclude=[]);
# Splits: tools/make_splits.py --dataset ade20k (split0 here); the
# official lists (splits/ade20k/1_16/*.txt) can replace them.
_base_ = [
    '../_base_/models/unimatch_v2_dpt_dinov2-s.py',
    '../_base_/datasets/unimatch_v2_ade20k.py',
    '../_base_/unimatch_v2_runtime.py',
]
num_labeled = 1263
num_unlabeled = 20210 - num_labeled
epochs = 60
iters_per_epoch = -(-num_unlabeled // 4) // 2  # ceil(N_u / 4 GPUs) // bs
max_iters = epochs * iters_per_epoch  # 142,080

model = dict(
    segmentor=dict(
        backbone=dict(frozen_exclude=[]),
        decode_head=dict(num_classes=150)))
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/1-16/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/1-16/split0/unlabeled.txt')))
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
default_hooks = dict(checkpoint=dict(interval=iters_per_epoch))

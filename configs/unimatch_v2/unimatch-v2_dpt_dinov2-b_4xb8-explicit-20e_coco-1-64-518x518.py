# UniMatch V2 (Yang et al., TPAMI 2025, arXiv:2410.10777), DINOv2-B
# (ViT-B/14) + DPT, COCO (81 classes), 1849 labeled images (split 1-64;
# unlabeled: the rest of the 118,287 train2017 images).
# Official: LiheYoung/UniMatch-V2 configs/coco.yaml,
# scripts/train.sh, unimatch_v2.py
# ("backbone: dinov2_base"; the README's tables use DINOv2-Base).
# Run on 4 GPUs, as the official ("the <num_gpu> should be set as 4 on all
# four datasets"):
#   bash tools/dist_train.sh CONFIG 4
# Settings quoted from the official code:
# - "batch_size: 4 # per GPU x 4 GPUs": 4 labeled + 4 unlabeled per GPU;
# - "crop_size: 518", "epochs: 20" over the unlabeled loader:
#   total_iters = len(trainloader_u) * epochs, len = ceil(N_u / 4 GPUs)
#   // 4 (DistributedSampler, drop_last=True), N_u = 116438;
# - AdamW lr 5e-6, x40 outside the encoder, poly 0.9, EMA teacher, both
#   models evaluated every epoch: ../_base_/unimatch_v2_runtime.py;
# - "conf_thresh: 0.95", Complementary Dropout, CutMix with the reversed
#   batch, loss (Lx + (Ls1 + Ls2) / 2) / 2:
#   ../_base_/models/unimatch_v2_dpt_dinov2-b.py;
# Splits: tools/make_splits.py --dataset coco (split0 here); the
# official lists (splits/coco/1_64/*.txt) can replace them.
_base_ = [
    '../_base_/models/unimatch_v2_dpt_dinov2-b.py',
    '../_base_/datasets/unimatch_v2_coco.py',
    '../_base_/unimatch_v2_runtime.py',
]
num_labeled = 1849
num_unlabeled = 118287 - num_labeled
epochs = 20
iters_per_epoch = -(-num_unlabeled // 4) // 4  # ceil(N_u / 4 GPUs) // bs
max_iters = epochs * iters_per_epoch  # 145,540

model = dict(segmentor=dict(decode_head=dict(num_classes=81)))
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/1-64/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/1-64/split0/unlabeled.txt')))
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

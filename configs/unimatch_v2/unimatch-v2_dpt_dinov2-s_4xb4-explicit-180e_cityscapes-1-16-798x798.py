# UniMatch V2 (Yang et al., TPAMI 2025, arXiv:2410.10777), DINOv2-S
# (ViT-S/14) + DPT, Cityscapes, 186 labeled images (split 1-16;
# unlabeled: the rest of the 2,975 train images).
# Official: LiheYoung/UniMatch-V2 configs/cityscapes.yaml,
# scripts/train.sh, unimatch_v2.py
# ("backbone: dinov2_small"; the README's tables use DINOv2-Base).
# Run on 4 GPUs, as the official ("the <num_gpu> should be set as 4 on all
# four datasets"):
#   bash tools/dist_train.sh CONFIG 4
# Settings quoted from the official code:
# - "batch_size: 2 # per GPU x 4 GPUs": 2 labeled + 2 unlabeled per GPU;
# - "crop_size: 798", "epochs: 180" over the unlabeled loader:
#   total_iters = len(trainloader_u) * epochs, len = ceil(N_u / 4 GPUs)
#   // 2 (DistributedSampler, drop_last=True), N_u = 2789;
# - AdamW lr 5e-6, x40 outside the encoder, poly 0.9, EMA teacher, both
#   models evaluated every epoch: ../_base_/unimatch_v2_runtime.py;
# - "conf_thresh: 0.95", Complementary Dropout, CutMix with the reversed
#   batch, loss (Lx + (Ls1 + Ls2) / 2) / 2:
#   ../_base_/models/unimatch_v2_dpt_dinov2-s.py;
# - "criterion: OHEM, thresh: 0.7, min_kept: 200000" on the labeled loss
#   (mmssl's UniMatch streams never use the pixel sampler, as the
#   official criterion_u is a plain cross-entropy);
# - "eval_mode = 'sliding_window'": 798x798 windows, stride
#   int(798 * 2 / 3) = 532;
# Splits: tools/make_splits.py --dataset cityscapes (split0 here); the
# official lists (splits/cityscapes/1_16/*.txt) can replace them.
_base_ = [
    '../_base_/models/unimatch_v2_dpt_dinov2-s.py',
    '../_base_/datasets/unimatch_v2_cityscapes.py',
    '../_base_/unimatch_v2_runtime.py',
]
num_labeled = 186
num_unlabeled = 2975 - num_labeled
epochs = 180
iters_per_epoch = -(-num_unlabeled // 4) // 2  # ceil(N_u / 4 GPUs) // bs
max_iters = epochs * iters_per_epoch  # 62,820

model = dict(
    segmentor=dict(
        decode_head=dict(
            num_classes=19,
            sampler=dict(
                type='OHEMPixelSampler', thresh=0.7, min_kept=200000)),
        test_cfg=dict(
            mode='slide', crop_size=(798, 798), stride=(532, 532))))
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

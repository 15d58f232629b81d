# UniMatch, DeepLabv3+ R101, Pascal VOC 2012 U2PL blended split 1/4 at
# 513x513 (paper table 2, the U2PL protocol; official splits/pascal/u2pl_1_4,
# training-logs/Pascal-VOC-2012/U2PL-Split-Size513/ResNet-101/1_4.log:
# "crop_size: 513", "batch_size: 4" per GPU, "ngpus: 2", "epochs: 80",
# "lr: 0.001", "lr_multi: 10.0", "conf_thresh: 0.95"). Run on 2 GPUs:
#   bash tools/dist_train.sh CONFIG 2
# 4 labeled + 4 unlabeled per GPU; 80 epochs of ceil(N_u / 2) // 4
# iterations. The U2PL lists are their own draw; tools/make_splits.py
# --regimes aug-1-4 draws the same number of labeled images.
_base_ = './unimatch_deeplabv3plus_r101-d16_4xb4-explicit-80e_voc12-aug-1-4-321x321.py'
crop_size = (513, 513)
num_labeled = {16: 662, 8: 1323, 4: 2646}[4]
num_unlabeled = 10582 - num_labeled
iters_per_epoch = -(-num_unlabeled // 2) // 4  # ceil(N_u / 2 GPUs) // 4
max_iters = _base_.epochs * iters_per_epoch
model = dict(data_preprocessor=dict(data_preprocessor=dict(size=crop_size)))
labeled_views = dict(
    _base_.semi_views_labeled, crop_size=crop_size)
unlabeled_views = dict(
    _base_.semi_views_unlabeled, crop_size=crop_size)
train_dataloader = dict(
    batch_size=8,
    sampler=dict(batch_size=8, num_labeled=4),
    dataset=dict(
        labeled=dict(pipeline=_base_.labeled_loading + [labeled_views]),
        unlabeled=dict(pipeline=_base_.unlabeled_loading +
                       [unlabeled_views])))
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

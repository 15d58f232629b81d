# UniMatch, DeepLabv3+ R101, Pascal VOC 2012 blended split 1/16 (labeled
# images drawn from the 10,582-image aug set, the rest of it unlabeled;
# paper table 2; official splits/pascal/1_16, training-logs/Pascal-VOC-2012/
# Blended-Split-Size321: "crop_size: 321", "batch_size: 2" per GPU on 4
# GPUs, "epochs: 80", "lr: 0.001", "lr_multi: 10.0", "conf_thresh: 0.95").
# Labels of aug images: SegmentationClassAug. tools/make_splits.py
# --dataset voc --regimes aug-1-16 draws the same number of labeled images
# (662 / 1323 / 2646 for 1/16 / 1/8 / 1/4). Otherwise as the 92-label
# config.
_base_ = './unimatch_deeplabv3plus_r101-d16_4xb4-explicit-80e_voc12-92-321x321.py'
num_labeled = {16: 662, 8: 1323, 4: 2646}[16]
num_unlabeled = 10582 - num_labeled
iters_per_epoch = -(-num_unlabeled // 4) // 2  # ceil(N_u / 4 GPUs) // 2
max_iters = _base_.epochs * iters_per_epoch
train_dataloader = dict(
    dataset=dict(
        labeled=dict(
            ann_file='splits/aug-1-16/split0/labeled.txt',
            data_prefix=dict(
                img_path='JPEGImages', seg_map_path='SegmentationClassAug')),
        unlabeled=dict(ann_file='splits/aug-1-16/split0/unlabeled.txt')))
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

# Cityscapes, labeled split only, for the supervised baselines: random
# rescale 0.5-2.0, 800x800 crop, horizontal flip (the weak view's
# augmentation). 2 per GPU, 8 on 4 GPUs.
_base_ = ['./semi_cityscapes.py']

train_dataloader = dict(
    _delete_=True,
    batch_size=2,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=_base_.dataset_type,
        data_root=_base_.data_root,
        ann_file='splits/1-32/split0/labeled.txt',
        data_prefix=dict(
            img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
        pipeline=_base_.labeled_loading + _base_.supervised_aug))

# Pascal VOC 2012, labeled split only, for the supervised baselines.
_base_ = ['./semi_voc12.py']

supervised_aug_voc = [
    _base_.random_resize,
    dict(
        type='mmdet.RandomCrop',
        crop_size=(_base_.crop_size[1], _base_.crop_size[0]),
        allow_negative_crop=True),
    _base_.horizontal_flip,
    _base_.pack_view,
]
train_dataloader = dict(
    _delete_=True,
    batch_size=2,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=_base_.dataset_type,
        data_root=_base_.data_root,
        ann_file='splits/92/split0/labeled.txt',
        data_prefix=dict(
            img_path='JPEGImages', seg_map_path='SegmentationClass'),
        pipeline=_base_.labeled_loading + supervised_aug_voc))

# Test-only: the tiny baseline model with the pseudo-labeling settings of
# the DARS configs (unlabeled split from the environment, like the labeled).
_base_ = './tiny_baseline.py'

unlabeled_ann = '{{$MMSSL_TEST_UNLABELED:splits/8/split0/unlabeled.txt}}'
pseudo_label_cfg = dict(
    labeled=dict(
        type='SemiCityscapesDataset',
        data_root=_base_.data_root,
        ann_file=_base_.labeled_ann,
        data_prefix=dict(
            img_path='leftImg8bit/train', seg_map_path='gtFine/train')),
    unlabeled=dict(
        type='SemiCityscapesDataset',
        data_root=_base_.data_root,
        ann_file=unlabeled_ann,
        data_prefix=dict(img_path='leftImg8bit/train')),
    seg_map_path='gtFine/train',
    policy=dict(type='DARS', alpha=0.5),
    num_bins=1000,
    num_chunks=4,
    seed=0)

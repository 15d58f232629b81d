# "Dense FixMatch + online DARS" arm of the CPU benchmark in the papers'
# regime (issue 17): the Dense FixMatch arm (same stage-1 start, model,
# data, batch, steps, views and hooks) whose pseudo-labels pass the online
# DARS filter (OnlineDistributionAlignment, mode 'DARS') instead of the
# single threshold: DARS (arXiv:2107.11279) replaces the global confidence
# threshold by class-wise thresholds that re-distribute the pseudo-labels
# towards the labeled class distribution, so tau is 0 here and the filter
# keeps alpha = 0.5 of the pixels (the paper's labeling ratio of its last
# round, table 6). The target distribution is counted from the labeled
# split's label maps (tools/benchmark_regime.py points it at each run's
# split). Histogram decay 0.9 and 1000 bins as the DARS CPU demo (chosen
# once, not tuned on the val set).
_base_ = ('./dense-fixmatch_deeplabv3plus_r18-d16_1xb8-explicit-cpu-'
          'stage2_synthcityscapes.py')

labeled_split_for_target = dict(
    type='SemiCityscapesDataset',
    data_root=_base_.cpu_data_root,
    ann_file=_base_.cpu_split + '/labeled.txt',
    data_prefix=dict(
        img_path='leftImg8bit/train', seg_map_path='gtFine/train'))
model = dict(
    semi_train_cfg=dict(
        pseudo_threshold=0.0,
        pseudo_label_filter=dict(
            type='OnlineDistributionAlignment',
            num_classes=19,
            target=labeled_split_for_target,
            mode='DARS',
            alpha=0.5,
            num_bins=1000,
            decay=0.9,
            seed=0)))

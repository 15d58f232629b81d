# CPU demo, stage 2 of the "Dense FixMatch + online DARS" arm of the DARS
# learning benchmark (issue 10, docs/dars.md): exactly the Dense FixMatch
# stage-2 demo (dense-fixmatch_deeplabv3plus_r18-d8_1xb8-explicit-same-cpu-
# sup300i-100i_synthcityscapes-8.py: warm-up checkpoint, 4 labeled + 4
# unlabeled, tau 0, Lu on all samples, EMA 0.99, 100 iterations) plus the
# online DARS pseudo-label filter (OnlineDistributionAlignment), whose target
# r is counted from the labeled split's label maps (the same dataset as the
# labeled training part; tools/benchmark_learning.py overrides its data_root
# and ann_file together with the training data's).
# Settings (chosen once, not tuned on the val set):
# * alpha 0.5: the paper's labeling ratio of its last round (table 6), so
#   half of the histogram's pixels are pseudo-labeled, the over-predicted
#   classes cut down to alpha * V * r_j and the under-predicted (rare)
#   classes keep all their pixels; tau 0 Dense FixMatch keeps 100 %.
# * decay 0.9: the histogram's memory is ~1 / (1 - 0.9) = 10 steps
#   (~10 x 8 x 128 x 128 = 1.3 M pixels, thousands even for a 1 % class),
#   i.e. 10 % of the 100-step run and short against the EMA teacher's own
#   time constant (decay 0.99: ~100 steps), so the thresholds follow the
#   teacher as it moves; 0.99 (the filter's default) would average over the
#   whole run and keep the start-of-run teacher's statistics.
# * 1000 bins, DARS sampling seed 0 (the offline tool's defaults).
_base_ = ('./dense-fixmatch_deeplabv3plus_r18-d8_1xb8-explicit-same-cpu-'
          'sup300i-100i_synthcityscapes-8.py')

labeled_split_for_target = dict(
    type='SemiCityscapesDataset',
    data_root=_base_.data_root,
    ann_file='splits/8/split0/labeled.txt',
    data_prefix=dict(img_path='leftImg8bit/train', seg_map_path='gtFine/train'))
model = dict(
    semi_train_cfg=dict(
        pseudo_label_filter=dict(
            type='OnlineDistributionAlignment',
            num_classes=19,
            target=labeled_split_for_target,
            mode='DARS',
            alpha=0.5,
            num_bins=1000,
            decay=0.9,
            seed=0)))

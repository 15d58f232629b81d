# Dense FixMatch, DeepLabv3+ R50, Cityscapes full (2975 labeled + 19,998
# train_extra unlabeled), implicit sampling, Lu on the unlabeled (extra)
# samples only: Dense FixMatch table 3, the row marked with a dagger, "our
# setting for the main experiments" (.7935 mIoU with implicit sampling).
# Otherwise as the config it inherits (150k iterations, 60-epoch ramp-up).
_base_ = ('./dense-fixmatch_deeplabv3plus_r50-d8_4xb4-implicit-150k_'
          'cityscapes-full.py')
model = dict(semi_train_cfg=dict(unsup_on='unlabeled'))

# Supervised baseline augmentation (random rescale 0.5-2.0, crop, horizontal
# flip), the same distribution as the weak view of Dense FixMatch. The
# variable `supervised_aug` is defined in semi_views_common.py so that
# dense_fixmatch_views.py and fixmatch_star_views.py provide it too: include
# only ONE of these pipeline files as a base (mmengine refuses duplicate keys
# among bases).
#
# Dataset config usage:
#   _base_ = ['../_base_/datasets/pipelines/supervised_aug.py']
#   train_pipeline = [dict(type='LoadImageFromFile'),
#                     dict(type='LoadAnnotations'), *_base_.supervised_aug]
_base_ = ['./semi_views_common.py']

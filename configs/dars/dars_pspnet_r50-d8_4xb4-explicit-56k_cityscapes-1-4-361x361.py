# DARS round k >= 1, PSPNet-50, Cityscapes 1/4 (744 labeled, 2231
# unlabeled), crop 361. 200 epochs of the unlabeled set per round:
# 200 * 2231 / 8 = 55,775 iterations. The paper gives the labeling ratios
# for the 1/8 split only (table 6); here they are the authors' code:
# config/cityscapes/gen_pseudo_label_psp50_cityscapes_split4_crop361_for_
# round{1,2}.yaml (labeling_ratio 0.4, 0.6) and train_psp50_cityscapes_
# split4_crop361_round{1,2}.yaml (scale 0.25-1.0, round 2 0.2-1.5: beta_min
# 0.2, beta_max 0.5; base_size 1024).
_base_ = ['./dars_pspnet_r50-d8_4xb4-explicit-65k_cityscapes-1-8-361x361.py']
regime = '1-4'
labeled_split = f'splits/{regime}/split0/labeled.txt'
unlabeled_split = f'splits/{regime}/split0/unlabeled.txt'
max_iters = 55775
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file=labeled_split),
        unlabeled=dict(ann_file=unlabeled_split)))
pseudo_label_cfg = dict(
    labeled=dict(ann_file=labeled_split),
    unlabeled=dict(ann_file=unlabeled_split),
    policy=dict(alpha=0.4))  # round 1's (tools/dars_rounds.py: each round's)
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters))
dars = dict(
    round0_config='./pspnet_r50-d8_4xb4-9k_cityscapes-1-4-361x361.py',
    rounds=[
        dict(alpha=0.4, beta_min=0.0, beta_max=0.0),
        dict(alpha=0.6, beta_min=0.2, beta_max=0.5),
    ])

# DARS round k >= 1, PSPNet-50, Cityscapes 1/8 (372 labeled, 2603
# unlabeled), crop 361 (the paper's ablations, tables 4-6; authors' code:
# config/cityscapes/train_psp50_cityscapes_split8_crop361_round{1,2}.yaml).
# 200 epochs of the unlabeled set per round at 8 pseudo-labeled images per
# batch (sec. 4.1): 200 * 2603 / 8 = 65,075 iterations. Run all rounds with
#   python tools/dars_rounds.py THIS_CONFIG --gpus 4
_base_ = ['../_base_/dars/pspnet_cityscapes.py']
dars = dict(round0_config='./pspnet_r50-d8_4xb4-5k_cityscapes-1-8-361x361.py')

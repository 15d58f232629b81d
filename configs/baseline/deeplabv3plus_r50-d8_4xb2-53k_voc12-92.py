# Supervised baseline: DeepLabv3+ R50 (ImageNet-pretrained model-zoo backbone)
# on the 92 labeled images of Pascal VOC 2012 train (split 0) only, 8 per batch
# (2 on each of 4 GPUs), 512x512 crops of images rescaled 0.5-2.0 from (2048,
# 512), horizontal flip, 52,910 iterations. Paper silent / choice: batch 8 as
# for Cityscapes (52,910 is 80 epochs of the aug set at 16), crop and scale as
# in mmseg's VOC configs.
_base_ = [
    '../_base_/models/deeplabv3plus_r50-d8.py',
    '../_base_/datasets/supervised_voc12.py',
    '../_base_/schedules/sgd-poly_53k.py',
    '../_base_/default_runtime.py',
]
model = dict(
    data_preprocessor=dict(size=(512, 512)),
    decode_head=dict(num_classes=21),
    auxiliary_head=dict(num_classes=21))
train_dataloader = dict(
    dataset=dict(ann_file='splits/92/split0/labeled.txt'))

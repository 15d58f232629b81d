# Supervised baseline: DeepLabv3+ R50 (ImageNet-pretrained model-zoo
# backbone) on the 93 labeled images (1/32) of Cityscapes split 0 only,
# 8 per batch (2 on each of 4 GPUs), 800x800 crops, 89,250 iterations.
_base_ = [
    '../_base_/models/deeplabv3plus_r50-d8.py',
    '../_base_/datasets/supervised_cityscapes.py',
    '../_base_/schedules/sgd-poly_89k.py',
    '../_base_/default_runtime.py',
]
model = dict(data_preprocessor=dict(size=(800, 800)))
train_dataloader = dict(
    dataset=dict(ann_file='splits/1-32/split0/labeled.txt'))

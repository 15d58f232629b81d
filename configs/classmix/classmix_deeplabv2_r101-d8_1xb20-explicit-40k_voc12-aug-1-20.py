# ClassMix, DeepLab-v2 R101-D8, Pascal VOC aug 1/20 (530 labeled), the rest of the
# aug set unlabeled, split 0; otherwise as the aug 1/8 config.
_base_ = './classmix_deeplabv2_r101-d8_1xb20-explicit-40k_voc12-aug-1-8.py'
train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='splits/aug-1-20/split0/labeled.txt'),
        unlabeled=dict(ann_file='splits/aug-1-20/split0/unlabeled.txt')))

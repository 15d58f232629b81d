# CutMix mean teacher (French et al. D.3), DeepLab-v2 R101-D8, Cityscapes 372
# labeled (regime 1-8), split 0, with full-size 1024x512 crops (the whole
# half-resolution image, flipped at random) instead of 512x256: the paper's
# 58.75 % row, where one half-area box is too coarse for the image content.
# Otherwise as the 512x256 config.
_base_ = './cutmix-mt_deeplabv2_r101-d8_1xb8-explicit-40k_cityscapes-1-8.py'
crop_size = (512, 1024)
mix_views_labeled = dict(_base_.mix_views_labeled, crop_size=crop_size)
mix_views_unlabeled = dict(mix_views_labeled)
model = dict(data_preprocessor=dict(data_preprocessor=dict(size=crop_size)))
train_dataloader = dict(
    dataset=dict(
        labeled=dict(pipeline=_base_.labeled_loading +
                     [_base_.shared_flip, mix_views_labeled]),
        unlabeled=dict(pipeline=_base_.unlabeled_loading +
                       [_base_.shared_flip, mix_views_unlabeled])))

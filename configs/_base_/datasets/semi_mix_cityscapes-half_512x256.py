# Cityscapes for French et al.'s CutMix / Cutout mean teacher (D.4.1): images
# downsampled to half resolution (1024x512), random 512x256 (w x h) crops and
# random horizontal flips, the same crop and flip for the teacher's and the
# student's view (mixing_views.py: the flip is drawn once, before SemiViews).
# Batch: 4 labeled + 4 unlabeled on one GPU (French et al.'s code draws a
# supervised batch of 4 and two unsupervised batches of 4, mixed pairwise into
# 4 images; here the 4 unlabeled images are mixed with partners in the batch).
# Evaluation as semi_mix_cityscapes_512x1024.py (image at 1024x512).
_base_ = ['./semi_mix_cityscapes_512x1024.py']

crop_size = (256, 512)  # (h, w)
mix_views_labeled = dict(_base_.mix_views_labeled, crop_size=crop_size)
mix_views_unlabeled = dict(mix_views_labeled)
train_dataloader = dict(
    batch_size=8,
    sampler=dict(type='ExplicitSemiSampler', batch_size=8, num_labeled=4),
    dataset=dict(
        labeled=dict(pipeline=_base_.labeled_loading +
                     [_base_.shared_flip, mix_views_labeled]),
        unlabeled=dict(pipeline=_base_.unlabeled_loading +
                       [_base_.shared_flip, mix_views_unlabeled])))

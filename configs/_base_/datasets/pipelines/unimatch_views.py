# UniMatch's views (LiheYoung/UniMatch, dataset/semi.py, dataset/transform.py):
# one random rescale (long side x U(0.5, 2.0)), one crop and one horizontal
# flip (p 0.5) shared by the weak view and the two strong views; each strong
# view then draws its own photometric ops:
#   if random.random() < 0.8: ColorJitter(0.5, 0.5, 0.5, 0.25)
#   RandomGrayscale(p=0.2)
#   blur(p=0.5): PIL GaussianBlur, radius U(0.1, 2.0)
# The CutMix boxes and partners are drawn in the model
# (UniMatchCutMixMaskGenerator), where the partner's views are.
# mmcv's RandomGrayscale with PIL's 'L' weights (R 0.299, G 0.587, B 0.114;
# images are BGR here) and three equal channels as torchvision's
# RandomGrayscale on an RGB image (mmcv truncates, PIL rounds).
# Labeled samples: the official labeled pipeline is the weak view only; the
# strong branches of labeled samples are packed without ops (unused with
# unsup_on='unlabeled').
_base_ = ['./semi_views_common.py']

shared_flip = _base_.horizontal_flip
weak_branch = [_base_.pack_view]
unimatch_strong_branch = [
    dict(
        type='ColorJitter',
        brightness=0.5,
        contrast=0.5,
        saturation=0.5,
        hue=0.25,
        prob=0.8),
    dict(
        type='RandomGrayscale',
        prob=0.2,
        keep_channels=True,
        channel_weights=(0.114, 0.587, 0.299),
        color_format='bgr'),
    dict(type='PILGaussianBlur', prob=0.5, sigma_range=(0.1, 2.0)),
    _base_.pack_view,
]
semi_views_unlabeled = dict(
    type='SemiViews',
    weak=weak_branch,
    strong=unimatch_strong_branch,
    strong2=unimatch_strong_branch,
    crop_size=_base_.crop_size,
    resize=_base_.random_resize,
    crop_relation='same',
    share_scale=True)
semi_views_labeled = dict(
    semi_views_unlabeled,
    strong=[_base_.pack_view],
    strong2=[_base_.pack_view])

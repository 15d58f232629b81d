# Ablation, not a paper's setting: the Dense FixMatch arm of the CPU
# benchmark with the geometric operations of its strong view only
# (shear, translate, rotate, flip; Cutout kept), no photometric ones
# (auto-contrast, equalize, invert, solarize, posterize, colour, contrast,
# brightness, sharpness). Everything else is the Dense FixMatch arm.
# It measures what the photometric operations do to the consistency loss
# on the generated data, whose classes differ by their tint colour
# (docs/cpu_benchmark.md: with Cityscapes' label colours as the tint, the
# photometric operations turned terrain into vegetation and rider into
# person). Run it with tools/benchmark_regime.py --arms
# dense_fixmatch_geometric; it is not in the default arm list.
_base_ = ['./dense-fixmatch_deeplabv3plus_r18-d16_1xb8-explicit-cpu-'
          'stage2_synthcityscapes.py']

_labeled = _base_.train_dataloader.dataset.labeled.pipeline
_unlabeled = _base_.train_dataloader.dataset.unlabeled.pipeline
_views = _labeled[-1]
geometric_strong_view = [
    dict(type='mmdet.RandAugment', aug_space=_base_.geometric_ops,
         aug_num=_views.strong[0].aug_num),
    *_views.strong[1:],
]
train_dataloader = dict(
    dataset=dict(
        labeled=dict(pipeline=[
            *_labeled[:-1], dict(_views, strong=geometric_strong_view)
        ]),
        unlabeled=dict(pipeline=[
            *_unlabeled[:-1],
            dict(_unlabeled[-1], strong=geometric_strong_view)
        ])))

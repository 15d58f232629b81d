"""Shared by the multi-task model tests: a tiny MultiTaskSegDet config and
two-view batches from the real config pipelines on generated data."""
import copy
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
SEMI_MT_DATA = osp.join(ROOT, 'configs/_base_/datasets/'
                        'semi_multitask_cityscapes.py')
NORM = dict(type='BN', requires_grad=True)


def tiny_network(**overrides) -> dict:
    """A MultiTaskSegDet with a tiny ResNetV1c-18 (random init), the real
    head types (DeepLabv3+ head, FPN, RetinaNet with focal + GIoU)."""
    base = Config.fromfile(
        osp.join(ROOT, 'configs/_base_/models/'
                 'multitask_deeplabv3plus-retinanet_r50.py')).model.to_dict()
    cfg = copy.deepcopy(base)
    cfg.pop('data_preprocessor')
    cfg['backbone'].update(depth=18, base_channels=8, stem_channels=8,
                           norm_cfg=NORM, init_cfg=None)
    cfg['decode_head'].update(in_channels=64, c1_in_channels=8, channels=16,
                              c1_channels=8, norm_cfg=NORM)
    cfg['neck'].update(in_channels=[8, 16, 32, 64], out_channels=16)
    cfg['bbox_head'].update(in_channels=16, feat_channels=16,
                            stacked_convs=1)
    cfg['bbox_head']['anchor_generator'].update(
        octave_base_scale=2, scales_per_octave=1, ratios=[1.0])
    cfg.update(overrides)
    return cfg


def semi_model_cfg(crop=(32, 32), semi_train_cfg=None, **net) -> dict:
    return dict(
        type='SemiMultiTask',
        model=tiny_network(**net),
        data_preprocessor=dict(
            type='mmdet.MultiBranchDataPreprocessor',
            data_preprocessor=dict(
                type='mmseg.SegDataPreProcessor',
                mean=[123.675, 116.28, 103.53],
                std=[58.395, 57.12, 57.375],
                bgr_to_rgb=True,
                pad_val=0,
                seg_pad_val=255,
                size=crop)),
        semi_train_cfg=dict(semi_train_cfg or {}))


def data_config():
    return Config.fromfile(SEMI_MT_DATA)


def views_dataset(root, ann_dir, views, subset='all', seg_split=None,
                  det_split=None):
    """The multi-task train dataset of the config with ``views`` appended
    to its loading pipeline."""
    from mmseg.registry import DATASETS
    init_default_scope('mmseg')
    cfg = data_config()
    return DATASETS.build(
        dict(
            cfg.train_dataset.to_dict(),
            data_root=root,
            ann_file=osp.join(ann_dir, 'multitask_gtFine_train.json'),
            seg_split=seg_split,
            det_split=det_split,
            subset=subset,
            pipeline=[dict(c) for c in cfg.multitask_loading] + [views]))


def collate(samples):
    return pseudo_collate(samples)


def generated_multitask_root(base: str):
    """4 generated Cityscapes train images (128x64, seed 1) and their
    boxes: ``(root, ann_dir)``."""
    from mmssl.datasets.converters import convert_cityscapes_boxes
    from mmssl.datasets.synthetic import generate_dataset
    root = generate_dataset(osp.join(base, 'gen'), 'cityscapes', seed=1,
                            num_train=4, num_val=1, num_extra=0,
                            size=(128, 64), num_cities=1)['root']
    ann = osp.join(base, 'ann')
    convert_cityscapes_boxes(root, out_dir=ann)
    return root, ann


def det_head_case():
    """A tiny network (random init, seed 0), its head outputs on 2 random
    64x64 images and 2 data samples with ground-truth boxes (2 and 1):
    ``(net, fwd, samples)``."""
    from mmdet.structures import DetDataSample
    from mmdet.structures.bbox import HorizontalBoxes
    from mmengine.structures import InstanceData
    from mmseg.registry import MODELS
    torch.manual_seed(0)
    net = MODELS.build(tiny_network())
    with torch.no_grad():
        fwd = net.forward_heads(torch.randn(2, 3, 64, 64))
    samples = []
    for boxes in ([[4., 6., 30., 40.], [40., 30., 60., 62.]],
                  [[8., 8., 40., 24.]]):
        ds = DetDataSample(metainfo=dict(img_shape=(64, 64),
                                         pad_shape=(64, 64)))
        ds.gt_instances = InstanceData(
            bboxes=HorizontalBoxes(torch.tensor(boxes, dtype=torch.float)),
            labels=torch.tensor([1, 5][:len(boxes)]))
        samples.append(ds)
    return net, fwd, samples


def flagged_batch(ds, flags, seed=0):
    """A collated batch of ``len(flags)`` samples of ``ds`` (cycled), the
    i-th flagged ``seg_labeled, det_labeled = flags[i]``."""
    import numpy as np
    np.random.seed(seed)
    batch = collate([ds[i % len(ds)] for i in range(len(flags))])
    for i, (seg, det) in enumerate(flags):
        set_flags(batch, i, seg_labeled=seg, det_labeled=det,
                  is_labeled=seg or det)
    return batch


def set_flags(batch, index, **flags):
    """Override per-task flags of sample ``index`` in both branches."""
    for branch in ('weak', 'strong'):
        batch['data_samples'][branch][index].set_metainfo(flags)


def grads_of(module):
    return {n: p.grad for n, p in module.named_parameters()
            if p.requires_grad}


torch.set_num_threads(1)

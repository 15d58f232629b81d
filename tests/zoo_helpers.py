"""Model-zoo configs shipped inside mmseg, wrapped in ``SemiSegmentor``.

Used by tests/test_model_zoo_wrap.py: load a config from the installed
mmseg package, make it buildable offline on CPU (no pretrained weights,
``SyncBN`` -> ``BN``) and build the raw two-view batch a ``SemiViews``
dataloader gives.
"""
import copy
import os.path as osp

import numpy as np
import torch
from mmengine.config import Config
from mmengine.structures import PixelData

import mmseg
from mmseg.structures import SegDataSample
from mmssl.utils.runtime import replace_sync_bn

#: The value ``mmssl.datasets.transforms.LoadEmptySegMap`` writes inside
#: the view of an unlabeled image.
UNLABELED_VALUE = 254

MMSEG_CONFIGS = osp.join(osp.dirname(mmseg.__file__), '.mim', 'configs')


def zoo_config_path(rel_path: str) -> str:
    return osp.join(MMSEG_CONFIGS, rel_path)


def _drop_weights(node):
    """Remove every pretrained / checkpoint reference, in place."""
    if isinstance(node, dict):
        if 'pretrained' in node:
            node['pretrained'] = None
        init_cfg = node.get('init_cfg')
        if isinstance(init_cfg, dict) and (
                init_cfg.get('type') == 'Pretrained'
                or 'checkpoint' in init_cfg):
            node['init_cfg'] = None
        elif isinstance(init_cfg, (list, tuple)):
            node['init_cfg'] = [
                c for c in init_cfg
                if not (isinstance(c, dict) and (
                    c.get('type') == 'Pretrained' or 'checkpoint' in c))
            ] or None
        for value in node.values():
            _drop_weights(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _drop_weights(value)


def merge(base: dict, override: dict) -> dict:
    """``override`` merged into ``base`` (dicts recursively, in place)."""
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


#: mmseg's own recipe for its ``*_r18-d8`` configs (e.g.
#: ``pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py``), for the ``r50-d8``
#: families with a single-input decode head that ship no r18 variant.
R18_D8 = dict(
    backbone=dict(depth=18),
    decode_head=dict(in_channels=512, channels=128),
    auxiliary_head=dict(in_channels=256, channels=64))


def offline_segmentor_cfg(rel_path: str, override: dict = None):
    """``(segmentor dict, its data_preprocessor dict)`` of a zoo config,
    without pretrained weights and with ``SyncBN`` replaced by ``BN``;
    ``override`` is merged into the model dict first."""
    cfg = Config.fromfile(zoo_config_path(rel_path))
    model = copy.deepcopy(cfg.model.to_dict())
    merge(model, override or {})
    seg_pre = model.pop('data_preprocessor', None) or {}
    _drop_weights(model)
    backbone = model.get('backbone')
    if isinstance(backbone, dict):
        backbone['init_cfg'] = None
    replace_sync_bn(model)
    return model, seg_pre


def semi_cfg(segmentor: dict, seg_pre: dict, size, **semi_train_cfg) -> dict:
    return dict(
        type='SemiSegmentor',
        segmentor=segmentor,
        data_preprocessor=dict(
            type='mmdet.MultiBranchDataPreprocessor',
            data_preprocessor=dict(
                type='mmseg.SegDataPreProcessor',
                mean=seg_pre.get('mean', [123.675, 116.28, 103.53]),
                std=seg_pre.get('std', [58.395, 57.12, 57.375]),
                bgr_to_rgb=seg_pre.get('bgr_to_rgb', True),
                pad_val=0,
                seg_pad_val=255,
                size=tuple(size))),
        semi_train_cfg=dict(unsup_on='all', **semi_train_cfg))


def flip_h(w: int) -> np.ndarray:
    return np.array([[-1, 0, w], [0, 1, 0], [0, 0, 1]], dtype=np.float32)


def gen_edge(seg: np.ndarray, edge_width: int = 4) -> np.ndarray:
    """``gt_edge_map`` of a ``[H, W]`` map, by mmseg's ``GenerateEdge``."""
    from mmseg.datasets.transforms import GenerateEdge
    results = dict(img_shape=seg.shape, gt_seg_map=seg)
    return GenerateEdge(edge_width=edge_width)(results)['gt_edge_map']


def raw_two_view_batch(labeled_flags, h, w, num_classes, seed=0,
                       with_edge=False):
    """The batch a ``SemiViews`` dataloader gives (before the preprocessor):
    uint8 ``3xHxW`` images, weak = identity view, strong = horizontal flip;
    labeled samples carry random classes, unlabeled ones
    :data:`UNLABELED_VALUE`. ``with_edge`` adds ``gt_edge_map`` as
    ``GenerateEdge`` + ``PackSegInputs`` do (PIDNet)."""
    rng = np.random.RandomState(seed)
    inputs = dict(weak=[], strong=[])
    samples = dict(weak=[], strong=[])
    for labeled in labeled_flags:
        img = rng.randint(0, 256, (3, h, w)).astype(np.uint8)
        if labeled:
            # blocky maps (8x8 cells), closer to real labels than noise
            small = rng.randint(0, num_classes, (h // 8 + 1, w // 8 + 1))
            seg = np.kron(small, np.ones((8, 8), dtype=np.int64))[:h, :w]
        else:
            seg = np.full((h, w), UNLABELED_VALUE, dtype=np.int64)
        for view, mat in (('weak', np.eye(3, dtype=np.float32)),
                          ('strong', flip_h(w))):
            v_img = img if view == 'weak' else img[:, :, ::-1]
            v_seg = seg if view == 'weak' else seg[:, ::-1]
            ds = SegDataSample(
                metainfo=dict(
                    img_shape=(h, w),
                    ori_shape=(h, w),
                    pad_shape=(h, w),
                    homography_matrix=mat,
                    is_labeled=bool(labeled)))
            ds.gt_sem_seg = PixelData(
                data=torch.from_numpy(np.ascontiguousarray(v_seg))[None])
            if with_edge:
                ds.gt_edge_map = PixelData(data=torch.from_numpy(
                    gen_edge(np.ascontiguousarray(v_seg))).long()[None])
            inputs[view].append(
                torch.from_numpy(np.ascontiguousarray(v_img)))
            samples[view].append(ds)
    return dict(inputs=inputs, data_samples=samples)

"""Class distributions: of a labeled split (from its label maps), as a
target setting, and their KL divergence (paper table 5)."""
import json
import math
import os.path as osp
from typing import Sequence, Union

import numpy as np
import torch
from mmengine.dist import all_reduce, get_dist_info


def _build_dataset(dataset):
    if isinstance(dataset, dict):
        from mmengine.registry import init_default_scope
        from mmseg.registry import DATASETS
        init_default_scope('mmseg')
        cfg = dict(dataset)
        cfg['pipeline'] = []  # labels are loaded below, images never
        return DATASETS.build(cfg)
    return dataset


def labeled_class_counts(dataset, num_classes: int,
                         distributed: bool = True) -> np.ndarray:
    """Pixel count per class over the label maps of a labeled split.

    ``dataset``: an mmseg dataset config (or dataset) with ``seg_map_path``;
    labels are read with ``LoadCheckedAnnotations`` (the dataset's
    ``reduce_zero_label`` / ``label_map``, range-checked); 255 is not
    counted. Under torch.distributed each rank reads every world-size-th
    map and the counts are summed, so every rank gets the same result.
    """
    from mmssl.datasets.transforms import LoadCheckedAnnotations
    ds = _build_dataset(dataset)
    rank, world = get_dist_info() if distributed else (0, 1)
    loader = LoadCheckedAnnotations(num_classes=num_classes)
    counts = np.zeros(num_classes + 1, np.int64)
    for i in range(rank, len(ds), world):
        info = ds.get_data_info(i)
        if 'seg_map_path' not in info:
            raise ValueError(
                f'{type(ds).__name__} (ann_file {ds.ann_file!r}) has no '
                'seg_map_path: the class distribution needs a LABELED split')
        res = loader.transform(dict(info, seg_fields=[]))
        seg = res['gt_seg_map'].reshape(-1).astype(np.int64)
        counts += np.bincount(
            np.minimum(seg, num_classes), minlength=num_classes + 1)
    out = torch.from_numpy(counts[:num_classes].copy())
    if world > 1:
        all_reduce(out, op='sum')
    return out.numpy()


def normalise(counts) -> np.ndarray:
    """``counts / counts.sum()`` as float64 (raises on an empty total)."""
    c = np.asarray(counts, dtype=np.float64)
    if c.sum() <= 0:
        raise ValueError('class distribution has no pixels')
    return c / c.sum()


def kl_divergence(p: Sequence[float], q: Sequence[float],
                  eps: float = 1e-12) -> float:
    """``KL(p || q) = sum_j p_j log(p_j / q_j)`` (natural log), both
    normalised; ``q_j`` is floored at ``eps`` so a class missing from ``q``
    gives a large finite value instead of infinity."""
    p, q = normalise(p), normalise(q)
    q = np.maximum(q, eps)
    m = p > 0
    return float(np.sum(p[m] * np.log(p[m] / q[m])))


def load_target_distribution(spec: Union[str, Sequence[float], dict],
                             num_classes: int) -> np.ndarray:
    """The target class distribution ``r`` from a setting:

    * a list of ``num_classes`` non-negative numbers (normalised);
    * a path to a summary JSON of ``tools/pseudo_label.py`` (its
      ``labeled_distribution``) or to a JSON list;
    * a dataset config of the labeled split: counted from its label maps.
    """
    where = 'target distribution'
    if isinstance(spec, str):
        where = spec
        if not osp.isfile(spec):
            raise FileNotFoundError(f'target distribution file {spec} does '
                                    'not exist')
        with open(spec) as f:
            data = json.load(f)
        if isinstance(data, dict):
            if 'labeled_distribution' not in data:
                raise KeyError(f"{spec}: expected a 'labeled_distribution' "
                               'entry (a summary JSON of tools/'
                               'pseudo_label.py) or a JSON list')
            data = data['labeled_distribution']
        spec = data
    if isinstance(spec, dict):
        return normalise(labeled_class_counts(spec, num_classes))
    r = np.asarray(list(spec), dtype=np.float64)
    if r.shape != (num_classes, ) or (r < 0).any() or not \
            math.isfinite(r.sum()) or r.sum() <= 0:
        raise ValueError(f'{where}: expected {num_classes} non-negative '
                         f'numbers with a positive sum, got {r.tolist()}')
    return r / r.sum()

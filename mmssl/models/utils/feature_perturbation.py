"""Feature perturbation between a segmentor's backbone (+ neck) and its
heads (UniMatch's feature-perturbation stream), for
:meth:`mmssl.models.segmentors.SemiSegmentor.perturbed_student_forward`."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmseg.registry import MODELS


def map_features(feats, fn):
    """``fn`` applied to every tensor of ``feats`` (a tensor, or lists /
    tuples / dicts of them, as backbones and necks return)."""
    if isinstance(feats, Tensor):
        return fn(feats)
    if isinstance(feats, (list, tuple)):
        return type(feats)(map_features(f, fn) for f in feats)
    if isinstance(feats, dict):
        return {k: map_features(v, fn) for k, v in feats.items()}
    raise TypeError(f'cannot perturb features of type {type(feats)}')


def cat_batch(a, b):
    """Two feature structures of the same layout stacked on dim 0 (the
    batch), tensor by tensor."""
    if isinstance(a, Tensor):
        return torch.cat([a, b])
    if isinstance(a, (list, tuple)):
        return type(a)(cat_batch(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return {k: cat_batch(a[k], b[k]) for k in a}
    raise TypeError(f'cannot concatenate features of type {type(a)}')


@MODELS.register_module()
class FeatureDropout(nn.Module):
    """Channel dropout on every 4-D feature map, each map with its own
    random channels: UniMatch's feature perturbation (``nn.Dropout2d(0.5)``
    applied separately to ``c1`` and ``c4``, the two backbone features its
    DeepLabv3+ decodes; ``model/semseg/deeplabv3plus.py`` ``forward``,
    ``need_fp=True``). Every backbone level is perturbed here; levels a head
    does not read do not change its output. Kept channels are scaled by
    ``1 / (1 - p)`` as ``nn.Dropout2d`` does. Always active (the official
    builds a fresh ``nn.Dropout2d``, in training mode, at every call).
    Tensors that are not 4-D (e.g. a ViT's class token) pass unchanged.

    Args:
        p: probability of zeroing a channel. Defaults to 0.5 (UniMatch).
    """

    def __init__(self, p: float = 0.5):
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f'FeatureDropout.p must be in [0, 1), got {p}')
        self.p = float(p)

    def _one(self, x: Tensor) -> Tensor:
        if x.dim() != 4 or not x.is_floating_point():
            return x
        return F.dropout2d(x, self.p, training=True)

    def forward(self, feats):
        return map_features(feats, self._one)

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


@MODELS.register_module()
class ComplementaryDropout(nn.Module):
    """UniMatch V2's Complementary Dropout on a batch of dual views.

    The batch holds ``2n`` samples: rows ``k`` and ``n + k`` are the two
    strong views of one unlabeled image. Per pair and channel, a Bernoulli
    draw keeps the channel in one view and drops it in the other, so the
    two views see complementary halves of the features; a random
    ``int(n * (1 - pair_prob))`` pairs are left unperturbed. The official
    (``model/semseg/dpt.py`` ``forward(comp_drop=True)``)::

        dropout_mask1 = Binomial(probs=0.5).sample((bs // 2, dim)) * 2.0
        dropout_mask2 = 2.0 - dropout_mask1
        num_kept = int(bs // 2 * (1 - 0.5))
        kept_indexes = torch.randperm(bs // 2)[:num_kept]
        dropout_mask1[kept_indexes, :] = 1.0
        dropout_mask2[kept_indexes, :] = 1.0
        features = (f * dropout_mask.unsqueeze(1) for f in features)

    One mask per sample and channel is shared by every feature level of
    that width (the official's four ViT layers all have ``dim`` channels);
    levels of another width (a CNN's stages) get their own draw, with the
    same unperturbed pairs. Channels are dim 1 of 4-D maps ``(B, C, H, W)``
    and of 2-D tokens ``(B, C)`` (a ViT's class token), the last dim of
    3-D token sequences ``(B, N, C)`` (the official layout). Kept channels
    are scaled by ``1 / (1 - p)`` in the first view and by ``1 / p`` in
    the second (both 2 at the official ``p = 0.5``). Always active.

    Args:
        p: probability that a channel is dropped in the first view (kept
            in the second). Defaults to 0.5 (official).
        pair_prob: fraction of pairs that are perturbed. Defaults to 0.5
            (official ``dropout_prob``).
    """

    def __init__(self, p: float = 0.5, pair_prob: float = 0.5):
        super().__init__()
        if not 0.0 < p < 1.0:
            raise ValueError(
                f'ComplementaryDropout.p must be in (0, 1), got {p}')
        if not 0.0 <= pair_prob <= 1.0:
            raise ValueError('ComplementaryDropout.pair_prob must be in '
                             f'[0, 1], got {pair_prob}')
        self.p = float(p)
        self.pair_prob = float(pair_prob)

    def first_view_keep(self, n: int, channels: int) -> Tensor:
        """Host ``(n, channels)`` {0, 1}: channels the first view keeps
        (official ``Binomial(probs=0.5).sample((bs // 2, dim))``)."""
        probs = torch.tensor(1.0 - self.p)
        return torch.distributions.Binomial(probs=probs).sample(
            (n, channels))

    def masks(self, keep1: Tensor, kept: Tensor) -> Tensor:
        """``(2n, channels)`` multipliers from :meth:`first_view_keep`: the
        first view's ``n`` rows, then the complementary second view's;
        rows of the ``kept`` (unperturbed) pairs are 1."""
        mask1 = keep1 / (1.0 - self.p)
        mask2 = (1.0 - keep1) / self.p
        mask1[kept] = 1.0
        mask2[kept] = 1.0
        return torch.cat([mask1, mask2])

    def forward(self, feats):
        first = _first_tensor(feats)
        if first.shape[0] % 2:
            raise ValueError('ComplementaryDropout needs a batch of pairs '
                             '(2n samples: the first views, then the '
                             f'second views), got {first.shape[0]}')
        n = first.shape[0] // 2
        cache = dict()
        state = dict()

        def mask_for(c: int) -> Tensor:
            if c not in cache:
                keep1 = self.first_view_keep(n, c)
                if 'kept' not in state:  # drawn after the first mask, as
                    # the official draws randperm after the binomial
                    state['kept'] = torch.randperm(n)[:int(
                        n * (1.0 - self.pair_prob))]
                cache[c] = self.masks(keep1, state['kept'])
            return cache[c]

        def apply(x: Tensor) -> Tensor:
            if not x.is_floating_point() or x.dim() not in (2, 3, 4):
                return x
            c = x.shape[-1] if x.dim() == 3 else x.shape[1]
            mask = mask_for(c).to(device=x.device, dtype=x.dtype)
            if x.dim() == 4:
                return x * mask[:, :, None, None]
            if x.dim() == 3:
                return x * mask[:, None, :]
            return x * mask

        return map_features(feats, apply)


def _first_tensor(feats) -> Tensor:
    if isinstance(feats, Tensor):
        return feats
    if isinstance(feats, (list, tuple)):
        return _first_tensor(feats[0])
    if isinstance(feats, dict):
        return _first_tensor(next(iter(feats.values())))
    raise TypeError(f'cannot perturb features of type {type(feats)}')

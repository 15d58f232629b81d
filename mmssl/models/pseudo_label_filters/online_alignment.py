"""DA / DARS as the pseudo-label filter of the online methods.

``semi_train_cfg.pseudo_label_filter = dict(type='OnlineDistributionAlignment',
...)`` makes :class:`~mmssl.models.segmentors.SemiSegmentor` (Dense
FixMatch, FixMatch*, the mixing methods) keep, every step, only the
pseudo-labels this module selects, so that the kept pixels' class shares
follow the labeled split's class distribution instead of the teacher's bias.
"""
import os.path as osp
from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.dist import all_reduce, get_rank
from torch import Tensor

from mmseg.registry import MODELS
from mmssl.pseudo_labeling.class_distribution import load_target_distribution
from mmssl.pseudo_labeling.histogram import (alignment_thresholds,
                                             class_bin_counts,
                                             confidence_bins,
                                             distribution_targets)

MODES = ('DA', 'DARS')


@MODELS.register_module()
class OnlineDistributionAlignment(nn.Module):
    """Class-wise thresholds from a running histogram of teacher confidences.

    Each training call first adds the batch's valid pixels to a per-class
    confidence histogram (summed over ranks, so every rank holds the same
    one; ``n = 0`` ranks still take part), forgetting old steps by
    exponential ``decay`` or a ``window`` of the last steps. From it, for a
    kept share ``alpha`` of the histogram's pixels, class j's target is
    ``n_j = alpha * V * r_j`` (``V`` pixels in the histogram, ``r`` the
    target distribution) and its threshold bin the highest bin whose tail
    holds ``n_j`` pixels (all of class j when it has fewer). ``DA`` keeps
    every pixel at or above it; ``DARS`` keeps each of those at random with
    probability ``s_j = n_j / n~_j`` (``n~_j`` the tail count), seeded by
    ``seed``, rank and step. In eval mode nothing is updated.

    Args:
        num_classes: classes of the segmentor.
        target: the labeled split's class distribution: a list, a summary
            JSON of ``tools/pseudo_label.py`` (or a JSON list), or a labeled
            dataset config (counted from its label maps). A file or a
            dataset is read at the first call in training (on every rank),
            not when the model is built, so a model holding this filter is
            built, loaded and tested without the training data; the
            distribution is then in the ``target`` buffer (checkpointed).
        mode: ``'DA'`` or ``'DARS'``.
        alpha: kept share of the pixels, ``(0, 1]``. Classes the teacher
            predicts less than ``n_j`` keep all their pixels, so the shares
            follow ``r`` exactly only where the teacher predicts enough.
        num_bins: confidence bins on [0, 1].
        decay: weight of the old histogram per step (exponential), used
            when ``window`` is None.
        window: keep the last ``window`` steps' histograms instead (a ring
            buffer of ``window x C x B``).
        seed: seed of the DARS sampling.

    Buffers (saved and resumed with the model): ``target`` (NaN until it
    is read), ``hist``, ``ring`` and ``ring_pos`` (window mode), ``step``.
    """

    def __init__(self,
                 num_classes: int,
                 target: Union[Sequence[float], str, dict],
                 mode: str = 'DARS',
                 alpha: float = 0.5,
                 num_bins: int = 1000,
                 decay: float = 0.99,
                 window: Optional[int] = None,
                 seed: int = 0):
        super().__init__()
        if mode not in MODES:
            raise ValueError(f'OnlineDistributionAlignment: mode must be one '
                             f'of {MODES}, got {mode!r}')
        if not 0.0 < alpha <= 1.0:
            raise ValueError('OnlineDistributionAlignment: alpha must be in '
                             f'(0, 1], got {alpha}')
        if window is None and not 0.0 <= decay < 1.0:
            raise ValueError('OnlineDistributionAlignment: decay must be in '
                             f'[0, 1), got {decay}')
        if window is not None and int(window) < 1:
            raise ValueError('OnlineDistributionAlignment: window must be a '
                             f'positive number of steps, got {window}')
        self.num_classes = int(num_classes)
        self.mode = mode
        self.alpha = float(alpha)
        self.num_bins = int(num_bins)
        self.decay = float(decay)
        self.window = None if window is None else int(window)
        self.seed = int(seed)
        self._target_spec = target
        r = torch.full((self.num_classes, ), float('nan'), dtype=torch.float64)
        if not isinstance(target, (str, dict)):  # numbers: checked now
            r = torch.as_tensor(
                load_target_distribution(target, self.num_classes),
                dtype=torch.float64)
        self.register_buffer('target', r)
        shape = (self.num_classes, self.num_bins)
        self.register_buffer('hist', torch.zeros(shape, dtype=torch.float64))
        if self.window is not None:
            self.register_buffer(
                'ring', torch.zeros((self.window, ) + shape,
                                    dtype=torch.float64))
            self.register_buffer('ring_pos', torch.zeros((),
                                                         dtype=torch.long))
        self.register_buffer('step', torch.zeros((), dtype=torch.long))

    # ------------------------------------------------------------ target
    def _target_files(self):
        """The files the target setting reads (to name them when missing)."""
        spec = self._target_spec
        if isinstance(spec, str):
            return [spec]
        ann = spec.get('ann_file') if isinstance(spec, dict) else None
        if not ann:
            return []
        root = spec.get('data_root') or ''
        return [ann if osp.isabs(ann) else osp.join(root, ann)]

    @torch.no_grad()
    def target_distribution(self) -> Tensor:
        """``r`` ([C] float64): the ``target`` buffer, read from the target
        setting the first time (a file or a labeled dataset; collective
        under torch.distributed: call it on every rank)."""
        if bool(torch.isfinite(self.target).all()):
            return self.target
        missing = [f for f in self._target_files() if not osp.exists(f)]
        if missing:
            raise FileNotFoundError(
                'OnlineDistributionAlignment: the target class distribution '
                f'cannot be read: {", ".join(missing)} does not exist (the '
                'labeled split is read at the first training step)')
        r = load_target_distribution(self._target_spec, self.num_classes)
        self.target.copy_(torch.as_tensor(r, dtype=torch.float64))
        return self.target

    # -------------------------------------------------------- statistics
    @torch.no_grad()
    def update(self, labels: Tensor, bins: Tensor, valid: Tensor) -> None:
        """Add the batch (all ranks) to the running histogram."""
        batch = class_bin_counts(labels, bins, self.num_classes,
                                 self.num_bins, mask=valid).to(self.hist)
        all_reduce(batch, op='sum')
        if self.window is None:
            self.hist.mul_(self.decay).add_(batch)
        else:
            pos = int(self.ring_pos)
            self.ring[pos] = batch
            self.ring_pos.fill_((pos + 1) % self.window)
            self.hist.copy_(self.ring.sum(0))
        self.step.add_(1)

    @torch.no_grad()
    def thresholds(self):
        """``(threshold_bin [C] long, sample_prob [C] float64)``: keep
        class-j pixels in bins ``>= threshold_bin[j]`` (``num_bins`` =
        none), each with ``sample_prob[j]`` (1 for DA)."""
        n = distribution_targets(self.hist, self.target_distribution(),
                                 self.alpha)
        tbin, passing = alignment_thresholds(self.hist, n)
        prob = torch.ones_like(n)
        if self.mode == 'DARS':
            prob = torch.where(passing > 0, (n / passing).clamp(max=1.0),
                               torch.zeros_like(n))
        return tbin, prob

    # ----------------------------------------------------------- forward
    def forward(self, labels: Tensor, confidence: Tensor,
                valid: Tensor) -> Tensor:
        """``[n, H, W]`` bool keep-mask of the pseudo-labels (see class)."""
        valid = valid.bool() & (labels >= 0) & (labels < self.num_classes)
        bins = confidence_bins(confidence, self.num_bins)
        self.target_distribution()  # the first call reads the labeled split
        if self.training:
            self.update(labels, bins, valid)
        tbin, prob = self.thresholds()
        cls = torch.where(valid, labels, torch.zeros_like(labels)).long()
        keep = valid & (bins >= tbin[cls])
        if self.mode == 'DARS' and keep.numel():
            gen = torch.Generator(device=labels.device)
            gen.manual_seed(self._step_seed())
            draw = torch.rand(
                keep.shape, generator=gen, device=labels.device,
                dtype=torch.float64)
            keep &= draw < prob[cls]
        return keep

    def _step_seed(self) -> int:
        rank = get_rank()
        return (self.seed * 1000003 + int(self.step) * 7919 + rank) % (2**63)

    def extra_repr(self) -> str:
        forget = (f'window={self.window}' if self.window is not None else
                  f'decay={self.decay}')
        return (f'mode={self.mode}, alpha={self.alpha}, '
                f'num_bins={self.num_bins}, {forget}')

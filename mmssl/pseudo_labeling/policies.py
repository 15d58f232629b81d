"""Pseudo-labeling policies behind one registered interface.

Every policy turns the unlabeled set's per-class confidence histogram
``hist [C, B]`` (pixels predicted as class j, by confidence bin) into a
:class:`~.selection.SelectionPlan`. Build one with :func:`build_policy`
(``dict(type='DARS', alpha=0.2)``) or register your own in
:data:`PSEUDO_LABEL_POLICIES`.

* ``ST``: one confidence threshold for every class.
* ``CBST``: class-balanced: the top ``alpha`` share of the pixels predicted
  as each class (so the pseudo-labels follow the PREDICTED proportions).
* ``DA``: class-wise thresholds so that class j's pseudo-labels number
  ``n_j = floor(alpha * N*H*W * r_j)`` (eq. 4, rounded down as the authors'
  code), ``r_j`` the class frequency of the labeled split; pixels at the
  threshold are kept (ties: ``>= n_j``).
* ``DARS``: DA, then exactly ``n_j`` of the ``n~_j`` pixels that pass are
  kept at random (``s_j = n_j / n~_j``, algorithm 1).

``temperature`` (all policies) divides the logits before the softmax that
gives the confidences (temperature scaling); the tool applies it.
"""
from abc import ABC, abstractmethod
import math
from typing import Optional, Sequence

import numpy as np
from mmengine.registry import Registry

from .histogram import alignment_thresholds, distribution_targets, tail_counts
from .selection import SelectionPlan

PSEUDO_LABEL_POLICIES = Registry('pseudo-label policy', scope='mmssl')


def build_policy(cfg) -> 'PseudoLabelPolicy':
    """A policy from ``dict(type=..., ...)`` (or an instance, returned)."""
    if isinstance(cfg, PseudoLabelPolicy):
        return cfg
    if not isinstance(cfg, dict) or 'type' not in cfg:
        raise TypeError('a pseudo-label policy config must be a dict with '
                        f"'type' (one of {sorted(PSEUDO_LABEL_POLICIES.module_dict)}), "
                        f'got {cfg!r}')
    if cfg['type'] not in PSEUDO_LABEL_POLICIES.module_dict:
        raise KeyError(f"unknown pseudo-label policy {cfg['type']!r}; "
                       f'registered: {sorted(PSEUDO_LABEL_POLICIES.module_dict)}')
    kwargs = dict(cfg)
    return PSEUDO_LABEL_POLICIES.module_dict[kwargs.pop('type')](**kwargs)


def _check_alpha(alpha: float, name: str) -> float:
    alpha = float(alpha)
    if not 0.0 < alpha <= 1.0:
        raise ValueError(f'{name}: alpha (labeling ratio) must be in (0, 1], '
                         f'got {alpha}')
    return alpha


def _round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


class PseudoLabelPolicy(ABC):
    """Base: ``plan(hist, target_distribution)`` -> ``SelectionPlan``."""

    #: whether :meth:`plan` needs the labeled split's class distribution
    needs_target = False

    def __init__(self, temperature: float = 1.0):
        if not temperature > 0:
            raise ValueError(f'{type(self).__name__}: temperature must be > '
                             f'0, got {temperature}')
        self.temperature = float(temperature)

    @abstractmethod
    def plan(self, hist, target: Optional[Sequence[float]] = None
             ) -> SelectionPlan:
        """Class-wise thresholds / counts from the confidence histogram."""

    def config(self) -> dict:
        """The settings, for the summary and the resume fingerprint."""
        d = {k: v for k, v in vars(self).items() if not k.startswith('_')}
        return dict(type=type(self).__name__, **d)

    # --------------------------------------------------------- helpers
    @staticmethod
    def _empty(num_classes: int, num_bins: int, **kw) -> SelectionPlan:
        return SelectionPlan(
            num_bins=num_bins,
            keep_from_bin=[num_bins] * num_classes,
            sample_lo=[1] * num_classes,
            sample_hi=[0] * num_classes,
            sample_total=[0] * num_classes,
            sample_quota=[0] * num_classes,
            **kw)

    def _count_plan(self, hist, targets, mode: str) -> SelectionPlan:
        """Plan for per-class pixel targets: ``mode`` 'ties' keeps the whole
        threshold bin (DA, CBST), 'exact' draws the rest of the target from
        the threshold bin, 'sample' draws the target from every passing
        pixel (DARS). Threshold bins and passing counts come from
        :func:`~.histogram.alignment_thresholds`, as online."""
        hist = np.asarray(hist, dtype=np.int64)
        num_classes, num_bins = hist.shape
        tail = tail_counts(hist)
        targets = np.asarray(targets, dtype=np.int64)
        tbin, passing = alignment_thresholds(hist, targets)
        tbin, passing = tbin.numpy(), passing.numpy().astype(np.int64)
        plan = self._empty(num_classes, num_bins)
        for j in range(num_classes):
            b = int(tbin[j])
            if b >= num_bins:
                continue
            above = int(tail[j, b + 1]) if b + 1 < num_bins else 0
            if mode == 'ties':
                plan.keep_from_bin[j] = b
            elif mode == 'exact':
                plan.keep_from_bin[j] = b + 1
                plan.sample_lo[j] = plan.sample_hi[j] = b
                plan.sample_total[j] = int(hist[j, b])
                plan.sample_quota[j] = int(
                    min(targets[j], passing[j]) - above)
            elif mode == 'sample':
                plan.sample_lo[j], plan.sample_hi[j] = b, num_bins - 1
                plan.sample_total[j] = int(passing[j])
                plan.sample_quota[j] = int(min(targets[j], passing[j]))
            else:
                raise ValueError(mode)
        kept = (passing if mode == 'ties' else np.minimum(targets, passing))
        plan.info = dict(
            target_counts=targets.tolist(),
            passing_counts=passing.tolist(),
            kept_counts=kept.tolist(),
            threshold_bins=tbin.tolist(),
            # lower edge of each class's threshold bin (1.0: nothing kept)
            thresholds=[min(int(b), num_bins) / num_bins for b in tbin],
            sampling_ratios=[
                float(k) / float(p) if p > 0 else 0.0
                for k, p in zip(kept, passing)
            ])
        return plan


@PSEUDO_LABEL_POLICIES.register_module()
class ST(PseudoLabelPolicy):
    """Self-training with one confidence threshold for every class."""

    def __init__(self, threshold: float = 0.9, temperature: float = 1.0):
        super().__init__(temperature)
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f'ST: threshold must be in [0, 1], got '
                             f'{threshold}')
        self.threshold = float(threshold)

    def plan(self, hist, target=None) -> SelectionPlan:
        hist = np.asarray(hist, dtype=np.int64)
        num_classes, num_bins = hist.shape
        plan = self._empty(
            num_classes, num_bins, value_threshold=self.threshold)
        plan.info = dict(thresholds=[self.threshold] * num_classes)
        return plan


@PSEUDO_LABEL_POLICIES.register_module()
class CBST(PseudoLabelPolicy):
    """Class-balanced self-training: the top ``alpha`` share of the pixels
    predicted as each class (thresholds from the predicted proportions)."""

    def __init__(self, alpha: float = 0.2, temperature: float = 1.0):
        super().__init__(temperature)
        self.alpha = _check_alpha(alpha, 'CBST')

    def plan(self, hist, target=None) -> SelectionPlan:
        hist = np.asarray(hist, dtype=np.int64)
        targets = [_round_half_up(self.alpha * m) for m in hist.sum(1)]
        return self._count_plan(hist, targets, 'ties')


def _int_targets(hist, target, alpha: float) -> np.ndarray:
    """:func:`~.histogram.distribution_targets` (eq. 4) as int64."""
    hist = np.asarray(hist, dtype=np.int64)
    return distribution_targets(hist, target, alpha).numpy().astype(np.int64)


@PSEUDO_LABEL_POLICIES.register_module()
class DA(PseudoLabelPolicy):
    """Distribution alignment: class-wise thresholds for ``n_j`` pixels.

    Pixels in the threshold bin are all kept (the paper's ties: class j gets
    ``n~_j >= n_j``), unless ``exact_count=True``, which draws exactly the
    missing ``n_j - (pixels above the bin)`` from the threshold bin at
    random.
    """
    needs_target = True

    def __init__(self,
                 alpha: float = 0.2,
                 exact_count: bool = False,
                 temperature: float = 1.0):
        super().__init__(temperature)
        self.alpha = _check_alpha(alpha, type(self).__name__)
        self.exact_count = bool(exact_count)

    def plan(self, hist, target=None) -> SelectionPlan:
        if target is None:
            raise ValueError(f'{type(self).__name__} needs the class '
                             'distribution of the labeled split')
        targets = _int_targets(hist, target, self.alpha)
        return self._count_plan(hist, targets,
                                'exact' if self.exact_count else 'ties')


@PSEUDO_LABEL_POLICIES.register_module()
class DARS(DA):
    """Distribution alignment + random sampling: exactly ``n_j`` pixels of
    class j, drawn uniformly (seeded) from the ``n~_j`` that pass DA."""

    def __init__(self, alpha: float = 0.2, temperature: float = 1.0):
        super().__init__(alpha=alpha, temperature=temperature)
        del self.exact_count

    def plan(self, hist, target=None) -> SelectionPlan:
        if target is None:
            raise ValueError('DARS needs the class distribution of the '
                             'labeled split')
        targets = _int_targets(hist, target, self.alpha)
        return self._count_plan(hist, targets, 'sample')

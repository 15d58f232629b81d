"""Ramp-up of the unsupervised loss weight λ.

The weight is a pure function of the iteration number, so a resumed run
continues the schedule exactly where it stopped and the hook keeps no state.
With ``t = min(iter / warmup_iters, 1)``:

- ``'sigmoid'``: ``max_weight * exp(-5 (1 - t)^2)`` (Laine & Aila ramp-up),
- ``'linear'``: ``max_weight * t``,
- ``'constant'``: ``max_weight``.
"""
import math
from numbers import Real
from typing import Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmseg.registry import HOOKS

__all__ = ['UnsupWeightHook', 'unsup_weight_at', 'SCHEDULES']

SCHEDULES = ('sigmoid', 'linear', 'constant')


def _is_number(x) -> bool:
    return isinstance(x, Real) and not isinstance(x, bool)


def unsup_weight_at(iter: int,
                    warmup_iters: Optional[float] = None,
                    max_weight: float = 1.0,
                    schedule: str = 'sigmoid') -> float:
    """Unsupervised loss weight at training iteration ``iter`` (0-based).

    ``warmup_iters`` is the length of the ramp (ignored by ``'constant'``);
    0 means full weight from the first iteration.
    """
    if schedule not in SCHEDULES:
        raise ValueError(
            f'schedule must be one of {SCHEDULES}, got {schedule!r}')
    if not _is_number(iter) or iter < 0:
        raise ValueError(f'iter must be a non-negative number, got {iter!r}')
    if schedule == 'constant':
        return float(max_weight)
    if not _is_number(warmup_iters) or warmup_iters < 0:
        raise ValueError('warmup_iters must be a non-negative number for '
                         f'schedule={schedule!r}, got {warmup_iters!r}')
    t = 1.0 if warmup_iters == 0 else min(iter / warmup_iters, 1.0)
    if schedule == 'sigmoid':
        return float(max_weight) * math.exp(-5.0 * (1.0 - t)**2)
    return float(max_weight) * t


@HOOKS.register_module()
class UnsupWeightHook(Hook):
    """Set ``model.unsup_weight`` before every training iteration.

    Relies on the model (or ``model.module`` of a wrapper) having a float
    attribute ``unsup_weight`` that scales its unsupervised loss.

    Args:
        max_weight (float): Weight reached at the end of the ramp.
            Defaults to 1.0.
        schedule (str): ``'sigmoid'``, ``'linear'`` or ``'constant'``.
            Defaults to ``'sigmoid'``.
        warmup_iters (int, optional): Length of the ramp in iterations.
        warmup_ratio (float, optional): Length of the ramp as a fraction of
            ``runner.max_iters``; used when ``warmup_iters`` is None.
            ``'sigmoid'`` and ``'linear'`` need exactly one of the two;
            ``'constant'`` takes neither.
    """

    priority = 'NORMAL'

    def __init__(self,
                 max_weight: float = 1.0,
                 schedule: str = 'sigmoid',
                 warmup_iters: Optional[int] = None,
                 warmup_ratio: Optional[float] = None) -> None:
        if schedule not in SCHEDULES:
            raise ValueError(
                f'schedule must be one of {SCHEDULES}, got {schedule!r}')
        if not _is_number(max_weight) or max_weight < 0 or \
                not math.isfinite(max_weight):
            raise ValueError('max_weight must be a finite non-negative '
                             f'number, got {max_weight!r}')
        if schedule == 'constant':
            if warmup_iters is not None or warmup_ratio is not None:
                raise ValueError(
                    "warmup_iters/warmup_ratio have no effect with "
                    "schedule='constant'; leave both None")
        else:
            if (warmup_iters is None) == (warmup_ratio is None):
                raise ValueError(f'schedule={schedule!r} needs exactly one of '
                                 f'warmup_iters and warmup_ratio, got '
                                 f'warmup_iters={warmup_iters!r}, '
                                 f'warmup_ratio={warmup_ratio!r}')
            if warmup_iters is not None and (not _is_number(warmup_iters)
                                             or warmup_iters < 0):
                raise ValueError('warmup_iters must be a non-negative '
                                 f'number, got {warmup_iters!r}')
            if warmup_ratio is not None and (not _is_number(warmup_ratio)
                                             or not 0 <= warmup_ratio <= 1):
                raise ValueError(
                    f'warmup_ratio must be in [0, 1], got {warmup_ratio!r}')
        self.max_weight = float(max_weight)
        self.schedule = schedule
        self.warmup_iters = warmup_iters
        self.warmup_ratio = warmup_ratio

    def get_warmup_iters(self, runner) -> Optional[float]:
        """Ramp length in iterations (``warmup_ratio * runner.max_iters``
        when given as a ratio)."""
        if self.warmup_iters is not None or self.warmup_ratio is None:
            return self.warmup_iters
        return self.warmup_ratio * runner.max_iters

    def weight_at(self, runner) -> float:
        """λ for the iteration the runner is about to run."""
        return unsup_weight_at(runner.iter, self.get_warmup_iters(runner),
                               self.max_weight, self.schedule)

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch=None) -> None:
        """Write λ for ``runner.iter`` into ``model.unsup_weight``."""
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        if not hasattr(model, 'unsup_weight'):
            raise AttributeError(
                'UnsupWeightHook needs a model with an `unsup_weight` '
                f'attribute; {type(model).__name__} has none')
        model.unsup_weight = self.weight_at(runner)

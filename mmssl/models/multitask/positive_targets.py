"""Positives-only classification loss for a dense detection head.

The multi-task paper (sec. 3) keeps only teacher boxes scoring >= 0.5 as
pseudo-labels: high precision, low recall, so an unlabeled object is often
missing from them. Its unsupervised detection loss therefore uses positive
targets only: anchors (points) the head's own assigner matches to the
background contribute nothing. The head's own ``loss`` code still assigns
targets and computes both losses; only the classification loss is called
with its weight multiplied by ``labels < num_classes`` (mmdet's background
label is ``num_classes``). The regression loss already weighs positives
only. This works for any head whose ``loss_cls`` is called as
``loss_cls(scores, labels, weight=None, avg_factor=...)`` (``AnchorHead``
and its subclasses such as RetinaNet / ATSS, ``FCOSHead``; a
``(labels, scores)`` tuple as for quality focal loss uses its labels).
"""
from contextlib import contextmanager

import torch.nn as nn
from torch import Tensor


def positive_weight(labels, num_classes: int) -> Tensor:
    """1 where ``labels`` is a foreground class, 0 at background
    (``num_classes``) and ignored (negative) labels."""
    if isinstance(labels, (tuple, list)):  # e.g. QualityFocalLoss targets
        labels = labels[0]
    return ((labels >= 0) & (labels < num_classes)).to(float)


class _PositiveOnlyLoss:
    """Stands in for ``loss_cls.forward``: the original call with the
    weight of background targets set to zero."""

    def __init__(self, forward, num_classes: int):
        self.forward = forward
        self.num_classes = num_classes

    def __call__(self, cls_score, labels, weight=None, *args, **kwargs):
        pos = positive_weight(labels, self.num_classes).to(cls_score.dtype)
        if weight is None:
            weight = pos
        else:
            pos = pos.view(pos.shape + (1, ) * (weight.dim() - pos.dim()))
            weight = weight * pos
        return self.forward(cls_score, labels, weight, *args, **kwargs)


@contextmanager
def wrapped_loss_cls(head: nn.Module, make_wrapper, what: str):
    """Within the block, ``head.loss_cls.forward`` is
    ``make_wrapper(original_forward, head.num_classes)``; restored after.

    Raises:
        AttributeError: the head has no ``loss_cls`` module or no
            ``num_classes`` (not an mmdet dense head); ``what`` names the
            loss that needs one.
    """
    loss_cls = getattr(head, 'loss_cls', None)
    if not isinstance(loss_cls, nn.Module) or not hasattr(head, 'num_classes'):
        raise AttributeError(
            f'{type(head).__name__} has no loss_cls module / num_classes: '
            f'{what} need an mmdet dense head (RetinaHead, ATSSHead, '
            'FCOSHead, ...)')
    loss_cls.forward = make_wrapper(
        type(loss_cls).forward.__get__(loss_cls), head.num_classes)
    try:
        yield
    finally:
        del loss_cls.forward


def positive_targets_only(head: nn.Module):
    """Within the block, ``head.loss_cls`` ignores background targets
    (:func:`wrapped_loss_cls`; AttributeError for a head without
    ``loss_cls`` / ``num_classes``)."""
    return wrapped_loss_cls(head, _PositiveOnlyLoss,
                            'positives-only pseudo-label losses')

"""Soft Teacher's background weighting for a dense detection head.

Soft Teacher (Xu et al., "End-to-End Semi-Supervised Object Detection with
Soft Teacher", arXiv:2106.09018, sec. 3.2) keeps the background in the
unsupervised classification loss, but weighs each background candidate
by the teacher's background score for it (its reliability: eq. 3-4); the
authors' and mmdet's ``SoftTeacher`` set the background label weights to
that score and rescale the loss by (number of candidates) / (sum of their
weights). Here in one-stage form: the candidates are the head's anchors
(points) on the student's strong view, and the teacher's background score
for an anchor is ``1 - max_c p_c`` at the same anchor of its weak view
(``p`` its sigmoid class scores; for a softmax head the background
probability). The head's own ``loss`` code assigns targets; only its
``loss_cls`` call is wrapped: weights of the background anchors times the
teacher's score, the loss times ``sum(w) / max(sum(w * r'), 1)`` over the
anchors of that call (one FPN level for most heads; ``w`` the head's own
label weights, ``r'`` the teacher's score at the background and 1 at the
positives, which keep weight 1). This is the multi-task paper's loss with
``det_positives_only=False`` and reliability weights instead of weight 1 at
the background.

The anchors must coincide: the weak and strong views of one geometry
(FixMatch*'s shared crop), as :meth:`SemiMultiTask.make_pseudo_targets`
checks. Works for heads that call ``loss_cls(scores, labels, weight, ...)``
once per FPN level (``AnchorHead``, ``ATSSHead``, ...) or once over all
levels concatenated level-major (``FCOSHead``).
"""
from contextlib import contextmanager
from typing import List, Sequence

import torch
import torch.nn as nn
from torch import Tensor

from .positive_targets import positive_weight, wrapped_loss_cls


def background_scores(cls_scores: Sequence[Tensor], num_classes: int,
                      use_sigmoid: bool) -> List[Tensor]:
    """The teacher's background score of each anchor, per level.

    ``cls_scores``: per level ``[n, A * C, H, W]`` logits (mmdet's layout,
    ``C`` = ``num_classes`` with sigmoid, ``num_classes + 1`` with softmax,
    background last). Returns per level ``[n, H * W * A]`` scores, each
    row in the order in which mmdet's heads flatten a level
    (``permute(0, 2, 3, 1).reshape(-1, C)``)."""
    out = []
    for s in cls_scores:
        n, ac, h, w = s.shape
        c = num_classes if use_sigmoid else num_classes + 1
        if ac % c:
            raise ValueError(f'class scores with {ac} channels are not '
                             f'A x {c} (num_classes={num_classes})')
        s = s.detach().float().view(n, ac // c, c, h, w)
        if use_sigmoid:
            bg = 1.0 - s.sigmoid().amax(dim=2)
        else:
            bg = s.softmax(dim=2)[:, :, -1]
        out.append(bg.permute(0, 2, 3, 1).reshape(n, -1))
    return out


class _TeacherWeightedLoss:
    """Stands in for ``loss_cls.forward`` (see the module docstring)."""

    def __init__(self, forward, num_classes: int, levels: List[Tensor]):
        self.forward = forward
        self.num_classes = num_classes
        self.levels = levels
        self.calls = 0

    def _scores(self, numel: int) -> Tensor:
        """The scores of this call's targets: the next level's, or all
        levels' at once (a head that concatenates its levels)."""
        sizes = [r.numel() for r in self.levels]
        if self.calls == 0 and len(sizes) > 1 and numel == sum(sizes):
            self.calls = len(sizes)
            return torch.cat(self.levels)
        if self.calls < len(sizes) and numel == sizes[self.calls]:
            self.calls += 1
            return self.levels[self.calls - 1]
        raise RuntimeError(
            f'teacher background scores: loss_cls call {self.calls} has '
            f'{numel} targets; the teacher has {sizes} anchors per level '
            '(the views must share one geometry and batch shape)')

    def __call__(self, cls_score, labels, weight=None, *args, **kwargs):
        target_labels = labels[0] if isinstance(labels,
                                                (tuple, list)) else labels
        r = self._scores(target_labels.numel()).to(cls_score.dtype)
        pos = positive_weight(target_labels, self.num_classes).to(r.dtype)
        soft = pos + (1 - pos) * r
        base = (torch.ones_like(soft) if weight is None else
                weight.to(soft.dtype).reshape(weight.shape[0], -1)[:, 0])
        scale = base.sum() / (base * soft).sum().clamp(min=1.0)
        if weight is None:
            weight = soft
        else:
            weight = weight * soft.view(soft.shape + (1, ) *
                                        (weight.dim() - soft.dim()))
        return self.forward(cls_score, labels, weight, *args,
                            **kwargs) * scale


@contextmanager
def teacher_weighted_background(head: nn.Module, levels: List[Tensor]):
    """Within the block, ``head.loss_cls`` weighs background anchors by the
    teacher's background scores ``levels`` (per level, the flattened
    :func:`background_scores` of the teacher on the loss's samples).

    Raises:
        AttributeError: the head has no ``loss_cls`` module or no
            ``num_classes`` (not an mmdet dense head).
        RuntimeError: a ``loss_cls`` call whose targets are not the
            teacher's anchors (another geometry or batch), or a block that
            leaves some of the teacher's levels unused.
    """
    made = []

    def make(forward, num_classes):
        made.append(_TeacherWeightedLoss(forward, num_classes, levels))
        return made[0]

    with wrapped_loss_cls(head, make, 'teacher-weighted background losses'):
        yield
    if made[0].calls != len(levels):
        raise RuntimeError(
            f'teacher background scores: the head computed its '
            f'classification loss over {made[0].calls} of the teacher\'s '
            f'{len(levels)} levels')

"""Segmentation pseudo-labels: the teacher's weak-view probabilities matched
into the strong views. The one implementation every mmssl model uses."""
from typing import Callable, Optional, Sequence, Tuple

import torch
from torch import Tensor

from .semi_batch import PseudoTargets
from .view_geometry import stack_homographies, strong_ignore_region, valid_hw
from .view_matching import warp_labels, warp_probs

#: ``(labels, confidence, valid) -> keep``: e.g. online DA / DARS
LabelFilter = Callable[[Tensor, Tensor, Tensor], Tensor]


@torch.no_grad()
def match_seg_pseudo_labels(probs: Tensor,
                            weak_samples: Sequence,
                            strong_samples: Sequence,
                            strong_hw: Tuple[int, int],
                            ignore_index: int,
                            threshold: float = 0.0,
                            label_filter: Optional[LabelFilter] = None,
                            with_probs: bool = False) -> PseudoTargets:
    """Teacher targets in the strong frame from its weak-view ``probs``.

    ``probs`` ``[n, C, h, w]`` (float32 softmax in the padded weak batch
    frame; ``n`` may be 0). The argmax and the confidence are matched into
    the strong views by ``A o alpha^-1`` (:func:`warp_labels`, from the
    samples' recorded homographies); pixels outside the weak view or in the
    strong view's ignore region (:func:`strong_ignore_region`) are invalid;
    a valid pixel keeps its label when its confidence reaches ``threshold``
    (tau) and ``label_filter`` keeps it. ``label_filter`` is called with
    ``n = 0`` too, so a filter may all-reduce statistics on every rank
    every step. With ``with_probs`` the probabilities are matched too
    (bilinear; zero where invalid).
    """
    n, num_classes = probs.shape[:2]
    device = probs.device
    if n == 0:
        empty = torch.zeros((0, ) + tuple(strong_hw), device=device)
        if label_filter is not None:
            label_filter(empty.long(), empty, empty.bool())
        return PseudoTargets(
            labels=empty.long(),
            confidence=empty,
            valid=empty.bool(),
            weak_labels=torch.zeros((0, ) + tuple(probs.shape[2:]),
                                    dtype=torch.long, device=device),
            probs=(torch.zeros((0, num_classes) + tuple(strong_hw),
                               device=device) if with_probs else None))
    confidence, weak_labels = probs.max(dim=1)
    geometry = dict(
        src_h=stack_homographies(weak_samples, device),
        dst_h=stack_homographies(strong_samples, device),
        dst_shape=tuple(strong_hw),
        src_valid_shapes=[valid_hw(d) for d in weak_samples])
    labels = warp_labels(weak_labels, ignore_index=ignore_index, **geometry)
    valid = labels != ignore_index
    valid &= ~strong_ignore_region(strong_samples, tuple(strong_hw), device,
                                   ignore_index)
    confidence = warp_labels(confidence, ignore_index=0, **geometry)
    confidence = torch.where(valid, confidence, torch.zeros_like(confidence))
    keep = valid & (confidence >= threshold)
    if label_filter is not None:
        keep &= label_filter(labels, confidence, valid)
    labels = torch.where(keep, labels, torch.full_like(labels, ignore_index))
    matched_probs = None
    if with_probs:
        matched_probs, _ = warp_probs(probs, **geometry)
        matched_probs = matched_probs * valid.unsqueeze(1)
    return PseudoTargets(
        labels=labels,
        confidence=confidence,
        valid=valid,
        weak_labels=weak_labels,
        probs=matched_probs)


def pseudo_valid_frac(labels: Tensor, ignore_index: int,
                      ref: Tensor) -> Tensor:
    """Logged: the fraction of target pixels that carry a pseudo-label (0
    without targets; ``ref`` gives dtype / device)."""
    if not labels.numel():
        return ref.new_zeros(())
    return (labels != ignore_index).float().mean()


def seg_hook_info(targets: PseudoTargets, labels: Tensor, num_classes: int,
                  ignore_index: int) -> dict:
    """The segmentation part of what the pseudo-label panels show: the
    teacher's argmax in the weak frame, the ``labels`` the student trains on
    and their class counts (on device; ignored pixels go to an extra bin
    that is dropped, so no data-dependent shape and no synchronisation)."""
    counts = torch.bincount(
        labels.flatten().clamp(max=num_classes),
        minlength=num_classes + 1)[:num_classes]
    return dict(
        weak_labels=targets.weak_labels,
        pseudo_labels=labels,
        class_counts=counts,
        num_classes=num_classes,
        ignore_index=ignore_index)

"""Mixing inputs and teacher targets with one mask."""
from typing import Optional

import torch
from torch import Tensor

from ..utils.semi_batch import PseudoTargets


def mix(own: Tensor, partner: Tensor, mask: Tensor) -> Tensor:
    """``mask`` ``[n, H, W]`` True -> ``own``, False -> ``partner``;
    channels (dim 1) follow when the tensors are ``[n, C, H, W]``."""
    if own.dim() == mask.dim() + 1:
        mask = mask.unsqueeze(1)
    return torch.where(mask, own, partner)


def mix_targets(targets: PseudoTargets, partner: Tensor, mask: Tensor,
                ignore_index: int,
                erase: Optional[Tensor] = None) -> PseudoTargets:
    """Targets of the mixed images: labels, confidence, valid (the ignore
    regions) and probabilities of each sample and of its partner
    ``partner[k]``, mixed with the same ``mask`` as the images.

    ``erase`` ``[n, H, W]`` bool (Cutout): pixels whose target is removed:
    their label becomes ``ignore_index`` and their probabilities 0, but they
    stay ``valid`` with their teacher confidence: they are part of the image
    the teacher saw. French et al.'s code averages the Cutout loss over
    every pixel of the image, the cut-out ones included
    (``train_seg_semisup_mask_mt.py``: ``loss_mask = batch_cut_masks *
    batch_um``, then ``(consistency_loss * loss_mask).mean()``), and takes
    the confidence proportion over the whole teacher map of the uncut image
    (``conf_tea = prob_cons_tea.max(dim=1)[0]``, ``conf_mask.mean()``).
    ``valid`` stays the valid image area; ``labels != ignore_index`` is
    "has a target".
    """
    partner = partner.to(mask.device)
    valid = mix(targets.valid, targets.valid[partner], mask)
    has_target = valid if erase is None else valid & ~erase
    labels = mix(targets.labels, targets.labels[partner], mask)
    labels = torch.where(has_target, labels,
                         torch.full_like(labels, ignore_index))
    confidence = mix(targets.confidence, targets.confidence[partner], mask)
    confidence = torch.where(valid, confidence, torch.zeros_like(confidence))
    probs = None
    if targets.probs is not None:
        probs = mix(targets.probs, targets.probs[partner], mask)
        probs = probs * has_target.unsqueeze(1)
    return PseudoTargets(
        labels=labels,
        confidence=confidence,
        valid=valid,
        weak_labels=targets.weak_labels,
        probs=probs)

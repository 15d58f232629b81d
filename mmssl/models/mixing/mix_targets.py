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

    ``erase`` ``[n, H, W]`` bool (Cutout): pixels whose target is removed
    (they leave ``valid`` and get ``ignore_index``).
    """
    partner = partner.to(mask.device)
    valid = mix(targets.valid, targets.valid[partner], mask)
    if erase is not None:
        valid = valid & ~erase
    labels = mix(targets.labels, targets.labels[partner], mask)
    labels = torch.where(valid, labels, torch.full_like(labels, ignore_index))
    confidence = mix(targets.confidence, targets.confidence[partner], mask)
    confidence = torch.where(valid, confidence, torch.zeros_like(confidence))
    probs = None
    if targets.probs is not None:
        probs = mix(targets.probs, targets.probs[partner], mask)
        probs = probs * valid.unsqueeze(1)
    return PseudoTargets(
        labels=labels,
        confidence=confidence,
        valid=valid,
        weak_labels=targets.weak_labels,
        probs=probs)

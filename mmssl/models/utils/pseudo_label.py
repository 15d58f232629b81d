"""Hard pseudo-labels from teacher scores."""
from typing import Tuple

import torch
from torch import Tensor


@torch.no_grad()
def hard_pseudo_labels(logits: Tensor,
                       threshold: float = 0.0,
                       ignore_index: int = 255) -> Tuple[Tensor, Tensor]:
    """Argmax of the softmax, with locations below ``threshold`` ignored.

    Args:
        logits: ``(N, C, H, W)`` teacher scores.
        threshold: confidence threshold tau in [0, 1); 0 keeps every location.

    Returns:
        ``(labels, confidence)``: ``(N, H, W)`` long labels with
        ``ignore_index`` where the max probability is below ``threshold``,
        and the max probability itself.
    """
    confidence, labels = logits.float().softmax(dim=1).max(dim=1)
    if threshold > 0:
        labels[confidence < threshold] = ignore_index
    return labels, confidence

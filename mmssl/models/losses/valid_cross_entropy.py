"""Cross-entropy averaged over valid locations only."""
import torch
import torch.nn.functional as F
from torch import Tensor


def valid_pixel_cross_entropy(logits: Tensor,
                              labels: Tensor,
                              ignore_index: int = 255) -> Tensor:
    """Location-wise cross-entropy averaged over valid (non-ignored) pixels.

    The papers average over valid locations only (mmseg's default
    ``avg_non_ignore=False`` divides by all pixels). A batch with no valid
    location gives an exact zero that still carries a gradient graph, never
    NaN.

    Args:
        logits: ``(N, C, H, W)`` unnormalised scores.
        labels: ``(N, H, W)`` integer targets with ``ignore_index`` holes.
    """
    total = F.cross_entropy(
        logits, labels.long(), ignore_index=ignore_index, reduction='sum')
    num_valid = (labels != ignore_index).sum()
    return total / num_valid.clamp(min=1).to(total.dtype)

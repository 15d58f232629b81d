"""Squared-error consistency between student softmax and soft targets."""
from typing import Optional

from torch import Tensor


def softmax_squared_error(logits: Tensor,
                          target_probs: Tensor,
                          weight: Tensor,
                          avg_mask: Optional[Tensor] = None) -> Tensor:
    """``sum_c (softmax(logits)_c - p_c)^2`` on the pixels with
    ``weight > 0``, summed and divided by the number of pixels in
    ``avg_mask`` (by the total ``weight`` when ``avg_mask`` is None); 0 when
    that count is 0, never NaN.

    French et al. 2020 (appendix D.4.5): summed over the class dimension,
    averaged over batch and pixels, so it is on the scale of a
    cross-entropy. Their code averages over ALL pixels of the batch, those
    without a target included (``train_seg_semisup_mask_mt.py``:
    ``(consistency_loss * loss_mask).mean()``): pass the pixels without a
    target as ``weight == 0`` and the pixels to average over (the valid
    image area) as ``avg_mask``.

    Args:
        logits: ``[n, C, H, W]`` student logits at the targets' size.
        target_probs: ``[n, C, H, W]`` teacher probabilities.
        weight: ``[n, H, W]`` bool or float pixel weights (the pixels that
            have a target).
        avg_mask: ``[n, H, W]`` bool, the pixels the mean runs over; it
            should contain every pixel with ``weight > 0``.
    """
    err = (logits.float().softmax(dim=1) - target_probs.float()).pow(2).sum(1)
    weight = weight.to(err.dtype)
    norm = weight.sum() if avg_mask is None else avg_mask.to(
        err.dtype).sum()
    return (err * weight).sum() / norm.clamp(min=1.0)

"""Squared-error consistency between student softmax and soft targets."""
from torch import Tensor


def softmax_squared_error(logits: Tensor, target_probs: Tensor,
                          weight: Tensor) -> Tensor:
    """``sum_c (softmax(logits)_c - p_c)^2``, averaged over the pixels with
    ``weight > 0`` (weighted mean; 0 when there is none, never NaN).

    French et al. 2020 (appendix D.4.5): summed over the class dimension,
    averaged over batch and pixels, so it is on the scale of a
    cross-entropy. Here the average runs over the pixels that have a
    target (not batch padding, not the strong view's ignore region, not a
    Cutout box), the same convention as ``avg_non_ignore`` cross-entropy.

    Args:
        logits: ``[n, C, H, W]`` student logits at the targets' size.
        target_probs: ``[n, C, H, W]`` teacher probabilities.
        weight: ``[n, H, W]`` bool or float pixel weights.
    """
    err = (logits.float().softmax(dim=1) - target_probs.float()).pow(2).sum(1)
    weight = weight.to(err.dtype)
    return (err * weight).sum() / weight.sum().clamp(min=1.0)

"""Per-class confidence histograms with fixed fine bins.

Thresholds for "the top n_j pixels of class j" come from these histograms
instead of from sorted probabilities, so memory is O(classes x bins) whatever
the number of images, and ranks can sum their histograms (``all_reduce``) to
get the same thresholds as one process.

Bin ``b`` of ``num_bins`` holds confidences in ``[b / B, (b + 1) / B)``; the
last bin also holds 1.0. :func:`confidence_bins` is the one place where a
confidence becomes a bin, used by the statistics pass, the writing pass and
the online filter alike, so a pixel is counted and selected in the same bin.
"""
import numpy as np
import torch
import torch.distributed as torch_dist
from torch import Tensor


def confidence_bins(confidence: Tensor, num_bins: int) -> Tensor:
    """Bin index (long, ``0..num_bins-1``) of each confidence in [0, 1]."""
    bins = (confidence.float() * num_bins).long()
    return bins.clamp_(0, num_bins - 1)


def class_bin_counts(labels: Tensor, bins: Tensor, num_classes: int,
                     num_bins: int, mask: Tensor = None) -> Tensor:
    """``[num_classes, num_bins]`` int64 counts of (label, bin) pairs.

    Pixels outside ``mask`` (if given) or with a label outside
    ``0..num_classes-1`` (e.g. 255) are not counted.
    """
    labels = labels.reshape(-1).long()
    bins = bins.reshape(-1).long()
    ok = (labels >= 0) & (labels < num_classes)
    if mask is not None:
        ok &= mask.reshape(-1).bool()
    # one extra slot collects the pixels that are not counted, so the shape
    # never depends on the data (no host synchronisation on a GPU)
    flat = torch.where(ok, labels * num_bins + bins,
                       torch.full_like(labels, num_classes * num_bins))
    counts = torch.bincount(flat, minlength=num_classes * num_bins + 1)
    return counts[:num_classes * num_bins].view(num_classes, num_bins)


def all_reduce_sum(tensor: Tensor) -> Tensor:
    """Sum ``tensor`` over ranks in place when torch.distributed runs."""
    if (torch_dist.is_available() and torch_dist.is_initialized()
            and torch_dist.get_world_size() > 1):
        torch_dist.all_reduce(tensor, op=torch_dist.ReduceOp.SUM)
    return tensor


def tail_counts(hist) -> np.ndarray:
    """``tail[j, b]`` = pixels of class j in bins ``>= b`` (numpy int64 or
    float64, the dtype of ``hist``)."""
    hist = np.asarray(hist)
    return np.flip(np.cumsum(np.flip(hist, axis=1), axis=1), axis=1)


def top_count_bins(hist, targets) -> np.ndarray:
    """For each class j, the threshold bin of its top ``targets[j]`` pixels.

    The highest bin ``b`` with ``tail[j, b] >= targets[j]``: every pixel in
    bins above it is among the top ``targets[j]``, and the rest of them are
    in bin ``b``. When the class has fewer pixels than its target the
    answer is 0 (take all); a target of 0 gives ``num_bins`` (take none).
    """
    hist = np.asarray(hist)
    num_classes, num_bins = hist.shape
    tail = tail_counts(hist)
    targets = np.asarray(targets)
    out = np.zeros(num_classes, dtype=np.int64)
    for j in range(num_classes):
        if targets[j] <= 0:
            out[j] = num_bins
            continue
        enough = np.flatnonzero(tail[j] >= targets[j])
        out[j] = int(enough[-1]) if enough.size else 0
    return out

"""Per-class confidence histograms with fixed fine bins, and the DA / DARS
thresholds derived from them (one implementation for the offline tool and
the online filter).

Thresholds for "the top n_j pixels of class j" come from these histograms
instead of from sorted probabilities, so memory is O(classes x bins) whatever
the number of images, and ranks can sum their histograms (``all_reduce``) to
get the same thresholds as one process.

Bin ``b`` of ``num_bins`` holds confidences in ``[b / B, (b + 1) / B)``; the
last bin also holds 1.0. :func:`confidence_bins` is the one place where a
confidence becomes a bin, used by the statistics pass, the writing pass and
the online filter alike, so a pixel is counted and selected in the same bin.
:func:`distribution_targets` (eq. 4) and :func:`alignment_thresholds` are the
one place where the targets ``n_j`` and the threshold bins are derived:
``mmssl.pseudo_labeling.policies`` (offline DA / DARS, numpy histograms of
int64 counts) and ``OnlineDistributionAlignment`` (a float64 running
histogram on the training device) both call them.
"""
from typing import Sequence, Tuple, Union

import numpy as np
import torch
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


def tail_counts(hist) -> np.ndarray:
    """``tail[j, b]`` = pixels of class j in bins ``>= b`` (numpy int64 or
    float64, the dtype of ``hist``)."""
    hist = np.asarray(hist)
    return np.flip(np.cumsum(np.flip(hist, axis=1), axis=1), axis=1)


def _as_tensor(x, dtype=None) -> Tensor:
    if isinstance(x, Tensor):
        return x if dtype is None else x.to(dtype)
    return torch.as_tensor(np.asarray(x), dtype=dtype)


def distribution_targets(hist: Union[Tensor, np.ndarray],
                         target: Union[Tensor, Sequence[float]],
                         alpha: float) -> Tensor:
    """Eq. 4: ``n_j = alpha * N*H*W * r_j``, ``N*H*W`` = every pixel of the
    histogram (the teacher labels every pixel of every unlabeled image) and
    ``r`` the target (labeled) class distribution, normalised here.

    Rounded down, as the authors' code (tool/gen_pseudo_label_utils.py,
    ``get_threshold_and_sampling_ratio``:
    ``class_j_num = int(labeling_ratio * class_ratio_prior_list[j] /
    valid_ratio * all_pixel_num * int(global_num))``). Returns float64
    (integer values) on the histogram's device.
    """
    hist = _as_tensor(hist)
    r = _as_tensor(target, torch.float64).to(hist.device)
    if r.shape != (hist.shape[0], ):
        raise ValueError(f'target class distribution has {r.numel()} '
                         f'entries, the model predicts {hist.shape[0]} '
                         'classes')
    if bool((r < 0).any()) or not float(r.sum()) > 0:
        raise ValueError('target class distribution must be non-negative '
                         f'with a positive sum, got {r.tolist()}')
    total = hist.sum().to(torch.float64)
    return torch.floor(float(alpha) * total * (r / r.sum()))


def alignment_thresholds(hist: Union[Tensor, np.ndarray],
                         targets: Union[Tensor, Sequence[float]]
                         ) -> Tuple[Tensor, Tensor]:
    """Class-wise threshold bins of distribution alignment (algorithm 1,
    lines 2-3) and the pixels that pass them.

    For each class j, the threshold bin is the highest bin ``b`` whose tail
    (pixels of class j in bins ``>= b``) holds ``targets[j]`` pixels: every
    pixel above it is among the top ``targets[j]`` and the rest of them lie
    in bin ``b`` (the sort-based threshold, the ``n_j``-th largest
    confidence, is in that bin). A class with fewer pixels than its target
    gets bin 0 (take all: the authors' code takes the smallest confidence,
    ``thres.append(global_cf_dict[j][len(global_cf_dict[j]) - 1])``); a
    target of 0 gets ``num_bins`` (take none).

    Args:
        hist: ``[C, B]`` counts (int64 or float64; numpy or torch).
        targets: ``[C]`` pixel targets ``n_j``.

    Returns:
        ``(threshold_bin [C] long, passing [C])``: ``passing[j]`` = tail of
        class j at its threshold bin (``n~_j``; 0 when nothing is taken), in
        the histogram's dtype and on its device.
    """
    hist = _as_tensor(hist)
    num_bins = hist.shape[1]
    targets = _as_tensor(targets).to(hist.device)
    tail = hist.flip(1).cumsum(1).flip(1)
    enough = tail >= targets[:, None].to(tail.dtype)
    idx = torch.arange(num_bins, device=hist.device)
    tbin = torch.where(enough, idx, torch.zeros_like(idx)).amax(1)
    none = targets <= 0
    tbin = torch.where(none, torch.full_like(tbin, num_bins), tbin)
    passing = tail.gather(1, tbin.clamp(max=num_bins - 1)[:, None])[:, 0]
    passing = torch.where(none, torch.zeros_like(passing), passing)
    return tbin, passing


def top_count_bins(hist, targets) -> np.ndarray:
    """numpy view of :func:`alignment_thresholds`: the threshold bin of each
    class's top ``targets[j]`` pixels (int64)."""
    tbin, _ = alignment_thresholds(hist, targets)
    return tbin.cpu().numpy().astype(np.int64)

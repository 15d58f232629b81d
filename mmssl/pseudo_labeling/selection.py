"""Which pixels become pseudo-labels: a per-class plan and its application.

A :class:`SelectionPlan` says, for every class ``j``:

* ``keep_from_bin[j]``: pixels predicted ``j`` in bins ``>= keep_from_bin``
  are all kept (``num_bins`` = none);
* a *sample set* ``[sample_lo[j], sample_hi[j]]`` of bins (empty when
  ``lo > hi``) holding ``sample_total[j]`` pixels over the whole unlabeled
  set, of which exactly ``sample_quota[j]`` are kept, drawn at random;
* or, for ST, ``value_threshold``: keep every pixel with confidence
  ``>= value_threshold`` (compared on values, not bins).

Exact counts across images without holding them in memory: images are
taken in a fixed order (sorted split, cut into ``num_chunks`` contiguous
chunks whose per-chunk histograms the statistics pass keeps). With
``R`` = sample-set pixels of class ``j`` in all earlier images (chunk prefix
from the histograms + running sum inside the chunk) and ``c`` those of this
image, the image keeps ``floor(q (R + c) / S) - floor(q R / S)`` of its
``c`` pixels (``q`` quota, ``S`` total). The sum over images telescopes to
exactly ``q``; which ``c`` pixels is a seeded random draw per image and
class (:mod:`.seeding`). Ranks and resumed runs compute the same ``R``, so
the output does not depend on the number of processes or interruptions.
"""
from dataclasses import asdict, dataclass, field
from typing import List, Optional

import numpy as np

from .seeding import image_class_rng


@dataclass
class SelectionPlan:
    """Per-class selection rules (see the module docstring)."""
    num_bins: int
    keep_from_bin: List[int]
    sample_lo: List[int]
    sample_hi: List[int]
    sample_total: List[int]
    sample_quota: List[int]
    value_threshold: Optional[float] = None
    #: what the report shows: targets n_j, passing counts, thresholds, ...
    info: dict = field(default_factory=dict)

    @property
    def num_classes(self) -> int:
        return len(self.keep_from_bin)

    def sampled_classes(self) -> List[int]:
        return [
            j for j in range(self.num_classes)
            if self.sample_lo[j] <= self.sample_hi[j]
            and self.sample_total[j] > 0
        ]

    def sample_set_counts(self, hist) -> np.ndarray:
        """Sample-set pixels per class in ``hist`` (``[..., C, B]``)."""
        hist = np.asarray(hist)
        out = np.zeros(hist.shape[:-2] + (self.num_classes, ), np.int64)
        for j in self.sampled_classes():
            lo, hi = self.sample_lo[j], self.sample_hi[j]
            out[..., j] = hist[..., j, lo:hi + 1].sum(-1)
        return out

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> 'SelectionPlan':
        return cls(**d)


def image_quota(running: int, count: int, quota: int, total: int) -> int:
    """How many of an image's ``count`` sample-set pixels to keep, given
    ``running`` such pixels in earlier images (exact integer arithmetic;
    sums to ``quota`` over all images)."""
    if total <= 0 or quota <= 0:
        return 0
    hi = min(running + count, total)
    lo = min(running, total)
    return (quota * hi) // total - (quota * lo) // total


def apply_plan(plan: SelectionPlan,
               labels: np.ndarray,
               confidence: np.ndarray,
               bins: np.ndarray,
               running: np.ndarray,
               name: str,
               seed: int,
               ignore_index: int = 255) -> np.ndarray:
    """The pseudo-label map (uint8, ``ignore_index`` elsewhere) of one image.

    ``running`` (int64 ``[C]``, sample-set pixels of each class in earlier
    images) is advanced in place by this image's counts.
    """
    labels = np.asarray(labels)
    if plan.value_threshold is not None:
        keep = confidence >= plan.value_threshold
    else:
        keep = bins >= np.asarray(plan.keep_from_bin)[labels]
    flat_keep = keep.reshape(-1)
    flat_labels = labels.reshape(-1)
    flat_bins = bins.reshape(-1)
    for j in plan.sampled_classes():
        cand = np.flatnonzero((flat_labels == j)
                              & (flat_bins >= plan.sample_lo[j])
                              & (flat_bins <= plan.sample_hi[j]))
        count = int(cand.size)
        k = image_quota(int(running[j]), count, int(plan.sample_quota[j]),
                        int(plan.sample_total[j]))
        running[j] += count
        if k <= 0:
            continue
        k = min(k, count)
        chosen = image_class_rng(seed, name, j).choice(
            cand, size=k, replace=False)
        flat_keep[chosen] = True
    out = np.full(labels.shape, ignore_index, dtype=np.uint8)
    out[keep] = labels[keep]
    return out

"""Mixing partners: each image is mixed with a DIFFERENT image."""
from typing import Sequence, Tuple

import torch
from torch import Tensor


def choose_partners(keys: Sequence) -> Tuple[Tensor, Tensor]:
    """For each sample ``k``, a partner drawn uniformly among the samples
    whose key (the source image path) differs from ``keys[k]``.

    Two crops of one image (a sampler that repeats an index, or a batch of
    two views of one file) are never paired. A sample with no other image
    in the batch gets itself as partner and ``paired[k] = False``: it is
    not mixed (the caller logs how many).

    Returns:
        ``partner`` long ``[n]`` and ``paired`` bool ``[n]`` (host tensors).
    """
    n = len(keys)
    partner = torch.arange(n)
    paired = torch.zeros(n, dtype=torch.bool)
    for k in range(n):
        others = [j for j in range(n) if keys[j] != keys[k]]
        if others:
            partner[k] = others[int(torch.randint(len(others), ()))]
            paired[k] = True
    return partner, paired

"""Run heads once over a batch, then compute each part's losses from
slices of their outputs with the heads' own loss code."""
from contextlib import contextmanager
from typing import Any, Dict, List

import torch.nn as nn
from torch import Tensor

#: mmseg heads that cannot run once over the batch, so they run on each
#: part's sliced features instead: PointRend's ``loss`` runs its ``forward``
#: on points it samples itself; MaskFormer's outputs are batch-second and
#: its ``loss`` adds the metadata its ``forward`` needs. Neither has
#: BatchNorm.
PER_PART_HEADS = ('PointHead', 'MaskFormerHead')


def slice_batch(feats, index: Tensor):
    """``feats`` (a tensor, or lists / tuples / dicts of them, as backbones,
    necks and heads return) restricted to the samples ``index`` on dim 0."""
    if feats is None:
        return None
    if isinstance(feats, Tensor):
        return feats[index]
    if isinstance(feats, (list, tuple)):
        return type(feats)(slice_batch(f, index) for f in feats)
    if isinstance(feats, dict):
        return {k: slice_batch(v, index) for k, v in feats.items()}
    raise TypeError(f'cannot slice student outputs of type {type(feats)}')


def head_list(heads) -> List[nn.Module]:
    """A segmentor's ``decode_head`` / ``auxiliary_head`` attribute (None, a
    head or an ``nn.ModuleList`` of heads) as a list of heads."""
    if heads is None:
        return []
    return list(heads) if isinstance(heads, nn.ModuleList) else [heads]


class _Output:
    """Stands in for a head's ``forward``: returns a precomputed output."""

    def __init__(self, output):
        self.output = output

    def __call__(self, *args, **kwargs):
        return self.output


@contextmanager
def precomputed_forward(outputs: Dict[nn.Module, Any]):
    """Within the block, each head's ``forward`` returns the given output, so
    the head's own ``loss`` code (and the segmentor's, e.g. a cascade's)
    computes its losses from outputs computed once for the whole batch."""
    for head, out in outputs.items():
        head.forward = _Output(out)
    try:
        yield
    finally:
        for head in outputs:
            del head.forward

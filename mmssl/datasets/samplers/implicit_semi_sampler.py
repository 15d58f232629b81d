"""Implicit semi-supervised sampling: uniform over labeled and unlabeled.

The "implicit" setting of Dense FixMatch: all samples are drawn uniformly
regardless of labels, so the labeled share of a batch varies around the
labeled share of the pool (the only option when labels are partial per task).
"""
from typing import Optional, Sized

from mmengine.dataset import InfiniteSampler

from mmseg.registry import DATA_SAMPLERS

__all__ = ['ImplicitSemiSampler']


@DATA_SAMPLERS.register_module()
class ImplicitSemiSampler(InfiniteSampler):
    """Infinite uniform sampler over the whole (labeled + unlabeled) pool.

    mmengine's ``InfiniteSampler`` (reshuffled passes over all samples,
    rank-sliced, seed synchronised across ranks) with a check that the pool
    is not empty, which would otherwise make iteration spin forever.

    Args:
        dataset (Sized): Usually ``ConcatDataset([labeled, unlabeled])``.
        shuffle (bool): Reshuffle every pass. Defaults to True.
        seed (int, optional): Random seed, synchronised across ranks when
            None. Defaults to None.
    """

    def __init__(self,
                 dataset: Sized,
                 shuffle: bool = True,
                 seed: Optional[int] = None) -> None:
        if len(dataset) == 0:
            raise ValueError('dataset is empty: ImplicitSemiSampler needs '
                             'at least one sample')
        super().__init__(dataset, shuffle=shuffle, seed=seed)

"""Explicit semi-supervised sampling: fixed labeled/unlabeled counts per batch.

The "explicit" setting of Dense FixMatch: labeled and unlabeled samples are
drawn separately, so every batch holds exactly ``num_labeled`` labeled and
``batch_size - num_labeled`` unlabeled samples.
"""
import itertools
from typing import Iterator, Optional, Sized

from mmdet.datasets.samplers import MultiSourceSampler
from torch.utils.data import ConcatDataset

from mmseg.registry import DATA_SAMPLERS

__all__ = ['ExplicitSemiSampler']


def _is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


@DATA_SAMPLERS.register_module()
class ExplicitSemiSampler(MultiSourceSampler):
    """Infinite sampler with exactly ``num_labeled`` labeled samples per batch.

    A checked front end to ``mmdet.MultiSourceSampler``: the same infinite,
    rank-sliced stream per source with a seed synchronised across ranks, but
    the split is given as a count and validated instead of a ratio that is
    silently rounded, and a zero count for one part is supported (mmdet's
    loop would never finish a batch with a zero count).

    Within each batch the labeled samples come first. Counts are per rank:
    the global batch holds ``world_size * num_labeled`` labeled samples. Each
    part is cycled through its own reshuffled epochs independently.

    Note:
        The dataloader's ``batch_size`` must equal this sampler's
        ``batch_size`` (and ``drop_last`` is irrelevant: the stream is
        infinite), otherwise batches straddle the sampler's groups and the
        counts no longer hold. Use an iteration-based training loop.

    Args:
        dataset (ConcatDataset): ``ConcatDataset([labeled, unlabeled])``
            (mmengine's or torch's).
        batch_size (int): Samples per batch per rank.
        num_labeled (int): Labeled samples per batch per rank,
            ``0 <= num_labeled <= batch_size``.
        shuffle (bool): Reshuffle each part every pass. Defaults to True.
        seed (int, optional): Random seed, synchronised across ranks when
            None. Defaults to None.
    """

    def __init__(self,
                 dataset: Sized,
                 batch_size: int,
                 num_labeled: int,
                 shuffle: bool = True,
                 seed: Optional[int] = None) -> None:
        if not isinstance(dataset, ConcatDataset) or \
                len(dataset.datasets) != 2:
            raise ValueError(
                'dataset must be a ConcatDataset([labeled, unlabeled]) with '
                f'exactly 2 parts, got {type(dataset).__name__}' +
                (f' with {len(dataset.datasets)} parts' if isinstance(
                    dataset, ConcatDataset) else ''))
        if not _is_int(batch_size) or batch_size < 1:
            raise ValueError(
                f'batch_size must be a positive integer, got {batch_size!r}')
        if not _is_int(num_labeled) or not 0 <= num_labeled <= batch_size:
            raise ValueError(
                'num_labeled must be an integer in [0, batch_size='
                f'{batch_size}], got {num_labeled!r}')
        num_unlabeled = batch_size - num_labeled
        for part, num, name in ((0, num_labeled, 'labeled'), (1, num_unlabeled,
                                                              'unlabeled')):
            if num > 0 and len(dataset.datasets[part]) == 0:
                raise ValueError(
                    f'the {name} dataset (dataset.datasets[{part}]) is empty '
                    f'but num_labeled={num_labeled} with batch_size='
                    f'{batch_size} asks for {num} {name} samples per batch')
        super().__init__(
            dataset,
            batch_size,
            source_ratio=[num_labeled, num_unlabeled],
            shuffle=shuffle,
            seed=seed)
        # Exact counts, independent of MultiSourceSampler's rounding.
        self.num_per_source = [num_labeled, num_unlabeled]
        self.num_labeled = num_labeled
        self.num_unlabeled = num_unlabeled

    def __iter__(self) -> Iterator[int]:
        while True:
            for source, num in enumerate(self.num_per_source):
                offset = self.cumulative_sizes[source]
                for idx in itertools.islice(self.source2inds[source], num):
                    yield idx + offset

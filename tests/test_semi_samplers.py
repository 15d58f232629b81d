"""ExplicitSemiSampler / ImplicitSemiSampler: batch composition, ranks,
determinism, validation."""
import itertools

import pytest
import torch
from torch.utils.data import ConcatDataset, DataLoader, Dataset

from mmssl.datasets.samplers import ExplicitSemiSampler, ImplicitSemiSampler

MSS_MODULE = 'mmdet.datasets.samplers.multi_source_sampler.get_dist_info'
INF_MODULE = 'mmengine.dataset.sampler.get_dist_info'


class Part(Dataset):
    """Returns (global tag, is_labeled) so batches can be inspected."""

    def __init__(self, n, labeled):
        self.n, self.labeled = n, labeled

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return dict(idx=i, labeled=self.labeled)


def _pool(n_lab=10, n_unlab=30):
    return ConcatDataset([Part(n_lab, True), Part(n_unlab, False)])


def _take(sampler, n):
    return list(itertools.islice(iter(sampler), n))


def _explicit(dataset,
              bs,
              nl,
              seed=0,
              rank=0,
              world=1,
              monkeypatch=None,
              **kw):
    if monkeypatch is not None:
        monkeypatch.setattr(MSS_MODULE, lambda: (rank, world))
    return ExplicitSemiSampler(dataset, bs, nl, seed=seed, **kw)


@pytest.mark.parametrize('bs,nl', [(16, 8), (5, 1), (4, 3), (3, 0), (3, 3)])
def test_explicit_exact_counts_every_batch(bs, nl):
    n_lab = 10
    dataset = _pool(n_lab, 30)
    indices = _take(_explicit(dataset, bs, nl), bs * 200)
    for b in range(200):
        batch = indices[b * bs:(b + 1) * bs]
        assert sum(i < n_lab for i in batch) == nl
        assert all(i < n_lab for i in batch[:nl])  # labeled first
        assert all(n_lab <= i < len(dataset) for i in batch[nl:])


def test_explicit_cycles_each_part_as_permutations():
    n_lab, n_unlab, bs, nl = 6, 9, 5, 2
    indices = _take(_explicit(_pool(n_lab, n_unlab), bs, nl), bs * 30)
    lab = [i for i in indices if i < n_lab]
    unlab = [i - n_lab for i in indices if i >= n_lab]
    for k in range(len(lab) // n_lab):
        assert sorted(lab[k * n_lab:(k + 1) * n_lab]) == list(range(n_lab))
    for k in range(len(unlab) // n_unlab):
        assert sorted(unlab[k * n_unlab:(k + 1) * n_unlab]) == list(
            range(n_unlab))
    # Shuffled: not the identity order in every pass.
    assert lab[:n_lab] != list(range(n_lab)) or lab[n_lab:2 * n_lab] != list(
        range(n_lab))


def test_explicit_through_dataloader():
    bs, nl = 6, 2
    sampler = _explicit(_pool(7, 11), bs, nl, seed=3)
    loader = DataLoader(_pool(7, 11), batch_size=bs, sampler=sampler)
    for batch, _ in zip(loader, range(20)):
        assert batch['labeled'].tolist() == [True] * nl + [False] * (bs - nl)


def test_explicit_no_shuffle_is_sequential():
    indices = _take(_explicit(_pool(3, 4), 4, 1, shuffle=False), 12)
    assert indices == [0, 3, 4, 5, 1, 6, 3, 4, 2, 5, 6, 3]


def test_explicit_ranks_disjoint_and_counts(monkeypatch):
    n_lab, n_unlab, bs, nl = 8, 12, 4, 2
    dataset = _pool(n_lab, n_unlab)
    streams = []
    for rank in range(2):
        s = _explicit(
            dataset,
            bs,
            nl,
            seed=5,
            rank=rank,
            world=2,
            monkeypatch=monkeypatch)
        assert (s.rank, s.world_size) == (rank, 2)
        streams.append(_take(s, bs * 40))
    for stream in streams:
        for b in range(40):
            assert sum(i < n_lab for i in stream[b * bs:(b + 1) * bs]) == nl
    # Within one pass over each part, the ranks see disjoint halves whose
    # union is the whole part.
    lab = [[i for i in st if i < n_lab][:n_lab // 2] for st in streams]
    unlab = [[i for i in st if i >= n_lab][:n_unlab // 2] for st in streams]
    assert not set(lab[0]) & set(lab[1])
    assert set(lab[0]) | set(lab[1]) == set(range(n_lab))
    assert not set(unlab[0]) & set(unlab[1])
    assert set(unlab[0]) | set(unlab[1]) == set(range(n_lab, n_lab + n_unlab))


def test_explicit_determinism():
    dataset = _pool()
    a = _take(_explicit(dataset, 8, 4, seed=11), 400)
    b = _take(_explicit(dataset, 8, 4, seed=11), 400)
    c = _take(_explicit(dataset, 8, 4, seed=12), 400)
    assert a == b
    assert a != c


def test_explicit_zero_count_part_may_be_empty():
    only_unlab = ConcatDataset([Part(0, True), Part(5, False)])
    assert all(0 <= i < 5 for i in _take(_explicit(only_unlab, 4, 0), 40))
    only_lab = ConcatDataset([Part(5, True), Part(0, False)])
    assert all(i < 5 for i in _take(_explicit(only_lab, 4, 4), 40))


def test_explicit_with_mmengine_concat_dataset():
    from mmengine.dataset import BaseDataset
    from mmengine.dataset import ConcatDataset as MMConcat

    class Toy(BaseDataset):

        def __init__(self, n):
            self.n = n
            super().__init__(serialize_data=False)

        def load_data_list(self):
            return [dict(i=i) for i in range(self.n)]

    dataset = MMConcat([Toy(4), Toy(6)])
    indices = _take(_explicit(dataset, 3, 1), 30)
    assert all(
        sum(i < 4 for i in indices[b:b + 3]) == 1 for b in range(0, 30, 3))


@pytest.mark.parametrize('dataset,bs,nl,name', [
    (Part(5, True), 4, 2, 'dataset'),
    (ConcatDataset([Part(2, True)] * 3), 4, 2, 'dataset'),
    (_pool(), 4, 5, 'num_labeled'),
    (_pool(), 4, -1, 'num_labeled'),
    (_pool(), 4, 2.0, 'num_labeled'),
    (_pool(), 4, True, 'num_labeled'),
    (_pool(), 0, 0, 'batch_size'),
    (_pool(), 4.0, 2, 'batch_size'),
    (ConcatDataset([Part(0, True), Part(5, False)]), 4, 1, 'labeled'),
    (ConcatDataset([Part(5, True), Part(0, False)]), 4, 3, 'unlabeled'),
])
def test_explicit_errors(dataset, bs, nl, name):
    with pytest.raises(ValueError, match=name):
        ExplicitSemiSampler(dataset, bs, nl, seed=0)


def test_samplers_registered_and_built_like_runner():
    from mmseg.registry import DATA_SAMPLERS
    dataset = _pool()
    # Runner.build_dataloader passes dataset and seed as default args.
    s = DATA_SAMPLERS.build(
        dict(type='ExplicitSemiSampler', batch_size=4, num_labeled=1),
        default_args=dict(dataset=dataset, seed=1))
    assert isinstance(s, ExplicitSemiSampler) and s.num_per_source == [1, 3]
    s = DATA_SAMPLERS.build(
        dict(type='ImplicitSemiSampler'),
        default_args=dict(dataset=dataset, seed=1))
    assert isinstance(s, ImplicitSemiSampler)


def test_implicit_proportion_equals_pool():
    n_lab, n_unlab, bs = 10, 30, 8
    dataset = _pool(n_lab, n_unlab)
    n = len(dataset)
    indices = _take(ImplicitSemiSampler(dataset, seed=0), 25 * n)
    # Over whole passes the labeled share is exactly the pool's share ...
    assert sum(i < n_lab for i in indices) == 25 * n_lab
    for k in range(25):
        assert sorted(indices[k * n:(k + 1) * n]) == list(range(n))
    # ... and per batch it varies around bs * 1/4 (not fixed as explicit).
    counts = [
        sum(i < n_lab for i in indices[b:b + bs])
        for b in range(0,
                       len(indices) - bs + 1, bs)
    ]
    assert len(set(counts)) > 1
    assert sum(counts) / len(counts) == pytest.approx(bs * n_lab / n, rel=0.1)


def test_implicit_ranks_disjoint_and_determinism(monkeypatch):
    dataset = _pool(6, 10)
    n = len(dataset)
    streams = []
    for rank in range(2):
        monkeypatch.setattr(INF_MODULE, lambda r=rank: (r, 2))
        streams.append(_take(ImplicitSemiSampler(dataset, seed=4), n * 3))
    for k in range(3):
        a = streams[0][k * n // 2:(k + 1) * n // 2]
        b = streams[1][k * n // 2:(k + 1) * n // 2]
        assert not set(a) & set(b) and set(a) | set(b) == set(range(n))
    monkeypatch.setattr(INF_MODULE, lambda: (0, 1))
    a = _take(ImplicitSemiSampler(dataset, seed=4), 200)
    assert a == _take(ImplicitSemiSampler(dataset, seed=4), 200)
    assert a != _take(ImplicitSemiSampler(dataset, seed=5), 200)


def test_implicit_empty_dataset():
    with pytest.raises(ValueError, match='dataset'):
        ImplicitSemiSampler(ConcatDataset([Part(0, True), Part(0, False)]))


def test_generator_seed_independent_of_global_rng():
    dataset = _pool()
    torch.manual_seed(0)
    a = _take(_explicit(dataset, 4, 2, seed=9), 50)
    torch.manual_seed(1)
    assert a == _take(_explicit(dataset, 4, 2, seed=9), 50)

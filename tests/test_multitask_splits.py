"""Multi-task split regimes (a)-(e) of figure 1: paper sizes, full overlap
for (b), nesting for (d), random overlap for (c)/(e), seeding, files, and
clear errors. Single-task splits are untouched (tests/test_splits.py)."""
import importlib.util
import json
import os.path as osp

import pytest

from mmssl.datasets.multitask_splits import (MultiTaskRegime,
                                             make_multitask_split,
                                             paper_multitask_regimes,
                                             parse_regime,
                                             write_multitask_splits)
from mmssl.datasets.splits import split_pool

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
POOL = [f'c{i % 18}/c{i % 18}_{i:06d}_000019' for i in range(2975)]


def test_paper_regimes_sizes_and_relations():
    regimes = {r.name: r for r in paper_multitask_regimes()}
    assert sorted(n for n in regimes if n[0] == 'a') == sorted(
        f'a-{n}' for n in (93, 186, 372, 744, 1488, 2975))
    assert {n for n in regimes if n[0] == 'd'} == {
        'd-93-372', 'd-93-744', 'd-93-1488', 'd-186-744', 'd-186-1488',
        'd-372-1488'
    }
    assert len(regimes) == 6 + 5 + 5 + 6 + 6
    for name, r in regimes.items():
        seg, det = make_multitask_split(r, POOL, seed=0)
        assert seg == sorted(set(seg)) and det == sorted(set(det))
        assert set(seg) <= set(POOL) and set(det) <= set(POOL)
        parts = [int(p) for p in name.split('-')[1:]]
        assert len(seg) == parts[0]
        s, d = set(seg), set(det)
        if r.setting == 'a':
            assert det == sorted(POOL)
        elif r.setting == 'b':
            assert seg == det
        elif r.setting == 'c':
            assert len(det) == parts[0] and s != d
        else:
            assert len(det) == parts[1]
            if r.setting == 'd':
                assert s < d
        # segmentation subset = the single-task labeled split of that size
        assert seg == split_pool(POOL, parts[0], 0)[0]


def test_random_overlap_is_random_and_seeded():
    # independent draws of N from 2975: overlap ~ hypergeometric, mean N^2/M
    r = parse_regime('c-1488')
    ovs = []
    for seed in range(3):
        seg, det = make_multitask_split(r, POOL, seed)
        assert (seg, det) == make_multitask_split(r, POOL, seed)
        ovs.append(len(set(seg) & set(det)))
    mean = 1488 * 1488 / 2975  # 744.3, std ~ 13.6
    assert all(abs(o - mean) < 60 for o in ovs), ovs
    assert len(set(ovs)) > 1
    seg, det = make_multitask_split(parse_regime('e-372-1488'), POOL, 0)
    assert abs(len(set(seg) & set(det)) - 372 * 1488 / 2975) < 40
    # different seeds, different subsets; same seed nests smaller sizes
    assert make_multitask_split(r, POOL, 0) != make_multitask_split(
        r, POOL, 1)
    small = make_multitask_split(parse_regime('d-93-372'), POOL, 0)
    big = make_multitask_split(parse_regime('d-186-744'), POOL, 0)
    assert set(small[0]) < set(big[0]) and set(small[1]) < set(big[1])


def test_write_files_and_cli(synthetic_cityscapes_root, tmp_path):
    res = write_multitask_splits(
        synthetic_cityscapes_root, ['a-2', 'b-3', 'd-2-4', 'e-2-5'],
        num_splits=2, seed=7, out_dir=str(tmp_path / 'api'))
    for name, rows in res.items():
        assert len(rows) == 2
        info = json.load(open(tmp_path / 'api' / name / 'regime.json'))
        assert info['seeds'] == [7, 8] and info['pool_size'] == 6
        for row, sp in zip(rows, info['splits']):
            seg = open(row['seg']).read().split()
            det = open(row['det']).read().split()
            assert (len(seg), len(det)) == (row['num_seg'], row['num_det'])
            assert sp['overlap'] == len(set(seg) & set(det))
    out = str(tmp_path / 'cli')
    spec = importlib.util.spec_from_file_location(
        'make_splits', osp.join(ROOT, 'tools', 'make_splits.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    args = ['--dataset', 'cityscapes', '--data-root',
            synthetic_cityscapes_root, '--out', out]
    tool.main(args + ['--multitask', 'd-2-4', '--num-splits', '2',
                      '--seed', '7'])
    assert open(osp.join(out, 'd-2-4/split1/seg_labeled.txt')).read() == \
        open(res['d-2-4'][1]['seg']).read()
    with pytest.raises(SystemExit, match="'b-93' asks for 93.*pool has 6"):
        tool.main(args + ['--multitask', 'b-93'])


def test_bad_regimes_are_explained():
    with pytest.raises(ValueError, match='segmentation size 5 > detection'):
        MultiTaskRegime('d', 5, 4)
    with pytest.raises(ValueError, match='needs both sizes'):
        parse_regime('e-93')
    with pytest.raises(ValueError, match='takes one size'):
        parse_regime('b-93-186')
    with pytest.raises(ValueError, match="cannot parse.*'f-3'"):
        parse_regime('f-3')
    with pytest.raises(ValueError, match='duplicate'):
        write_multitask_splits('.', ['a-2', 'a-2'], pool=POOL[:10])

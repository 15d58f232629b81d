"""Split lists: paper counts, disjoint/complete partitions, seeding,
nesting, clear errors, and that stock mmseg datasets read the lists."""
import glob
import importlib.util
import json
import os.path as osp

import numpy as np
import pytest
from mmengine.registry import init_default_scope

from mmssl.datasets.splits import (PAPER_REGIMES, Regime, custom_regimes,
                                   list_pool, make_split, parse_fraction,
                                   read_list, split_pool, write_splits)

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def _fake_pools():
    cs_train = [
        f'city{i % 18}/city{i % 18}_{i:06d}_000019' for i in range(2975)
    ]
    cs_extra = [f'x{i % 23}/x{i % 23}_{i:06d}_000019' for i in range(19998)]
    voc_aug = [f'{2007 + i % 6}_{i:06d}' for i in range(10582)]
    voc_train = voc_aug[::7][:1464]
    return (dict(train=cs_train,
                 train_extra=cs_extra), dict(train=voc_train, aug=voc_aug))


def _check_partition(labeled, unlabeled, pool):
    assert labeled == sorted(labeled) and unlabeled == sorted(unlabeled)
    assert len(set(labeled)) == len(labeled)
    assert not set(labeled) & set(unlabeled)
    assert set(labeled) | set(unlabeled) == set(pool)


def test_paper_regime_counts_on_full_size_pools():
    cs, voc = _fake_pools()
    want = {
        '1-32': 93,
        '1-16': 186,
        '1-8': 372,
        '1-4': 744,
        '1-2': 1488,
        'full': 2975,
        '100': 100,
        'all': 2975
    }
    assert [r.name for r in PAPER_REGIMES['cityscapes']] == list(want)
    for r in PAPER_REGIMES['cityscapes']:
        lab, unl = make_split(r, cs, seed=0)
        assert len(lab) == want[r.name]
        if r.name == 'full':
            assert lab == sorted(cs['train']) and unl == sorted(
                cs['train_extra'])
        elif r.name == 'all':  # French et al.: labeled images also unlabeled
            assert lab == unl == sorted(cs['train'])
        else:
            _check_partition(lab, unl, cs['train'])
    want = {
        '92': 92,
        '183': 183,
        '366': 366,
        '732': 732,
        '1464': 1464,
        'aug-1-16': 662,
        'aug-1-8': 1323,
        'aug-1-4': 2646,
        'aug-1-2': 5291,
        'aug-1-100': 106,
        'aug-1-50': 212,
        'aug-1-20': 530,
        'aug-all': 10582
    }
    assert [r.name for r in PAPER_REGIMES['voc']] == list(want)
    for r in PAPER_REGIMES['voc']:
        lab, unl = make_split(r, voc, seed=0)
        assert len(lab) == want[r.name]
        assert set(lab) <= set(voc[r.labeled_pool])
        if r.name == 'aug-all':
            assert lab == unl == sorted(voc['aug'])
        else:
            _check_partition(lab, unl, voc['aug'])  # train is part of aug
    # fraction regimes reproduce the paper counts on the full pools
    for frac, n in (('1/32', 93), ('1/16', 186), ('1/8', 372), ('1/4', 744),
                    ('1/2', 1488)):
        (r, ) = custom_regimes('cityscapes', fractions=[frac])
        assert r.name == frac.replace('/', '-')
        assert len(make_split(r, cs, 0)[0]) == n
    for frac, n in (('1/16', 662), ('1/8', 1323), ('0.25', 2646),
                    ('1/2', 5291), ('1/100', 106), ('1/50', 212),
                    ('1/20', 530)):
        (r, ) = custom_regimes('voc', fractions=[frac], pool='aug')
        assert len(make_split(r, voc, 0)[0]) == n
    for frac, n in (('1/16', 92), ('1/8', 183), ('1/4', 366)):
        (r, ) = custom_regimes('voc', fractions=[frac])
        assert len(make_split(r, voc, 0)[0]) == n


def test_split_pool_seeding_and_nesting():
    pool = [f's{i:03d}' for i in range(100)]
    a, ra = split_pool(pool, 10, seed=3)
    b, rb = split_pool(list(reversed(pool)), 10, seed=3)  # order-free
    assert a == b and ra == rb
    _check_partition(a, ra, pool)
    assert split_pool(pool, 10, seed=4)[0] != a
    # same seed: smaller labeled sets are subsets of larger ones
    assert set(split_pool(pool, 5, 3)[0]) < set(a) < set(
        split_pool(pool, 20, 3)[0])
    # the draw is a seeded permutation (independent re-computation)
    perm = np.random.default_rng(3).permutation(100)[:10]
    assert a == sorted(pool[i] for i in perm)


def test_too_many_labeled_is_an_error_naming_counts(synthetic_cityscapes_root,
                                                    tmp_path):
    out = tmp_path / 'splits'
    with pytest.raises(ValueError) as e:
        write_splits(synthetic_cityscapes_root, 'cityscapes', out_dir=str(out))
    msg = str(e.value)
    assert "'1-32'" in msg and 'requests 93' in msg and '6 available' in msg
    assert not out.exists()  # nothing written
    (r, ) = custom_regimes('cityscapes', [7])
    with pytest.raises(ValueError, match=r"'7'.*requests 7 .*only 6 avail"):
        write_splits(
            synthetic_cityscapes_root, 'cityscapes', [r], out_dir=str(out))
    with pytest.raises(ValueError, match='requests 1465'):
        Regime('x', 'voc', 'train', 'aug', 1465).count(1464)


def test_write_splits_cityscapes(synthetic_cityscapes_root, tmp_path):
    root = synthetic_cityscapes_root
    train = sorted(
        osp.relpath(p, f'{root}/leftImg8bit/train')[:-len('_leftImg8bit.png')]
        for p in glob.glob(f'{root}/leftImg8bit/train/*/*_leftImg8bit.png'))
    extra = sorted(
        osp.relpath(p, f'{root}/leftImg8bit/train_extra')
        [:-len('_leftImg8bit.png')]
        for p in glob.glob(f'{root}/leftImg8bit/train_extra/*/*.png'))
    assert list_pool(root, 'cityscapes', 'train') == train
    regimes = custom_regimes('cityscapes', [2, 4], ['1/2']) + [
        r for r in PAPER_REGIMES['cityscapes'] if r.name == 'full'
    ]
    res = write_splits(
        root,
        'cityscapes',
        regimes,
        num_splits=3,
        seed=5,
        out_dir=str(tmp_path / 'a'))
    assert sorted(res) == ['1-2', '2', '4', 'full']
    for name, n in (('2', 2), ('4', 4), ('1-2', 3)):
        labs = []
        for k, row in enumerate(res[name]):
            assert row['labeled'] == str(tmp_path / 'a' / name / f'split{k}' /
                                         'labeled.txt')
            lab, unl = read_list(row['labeled']), read_list(row['unlabeled'])
            assert len(lab) == n == row['num_labeled']
            _check_partition(lab, unl, train)
            assert lab == split_pool(train, n, 5 + k)[0]  # seed + k
            assert all('.' not in s and s.count('/') == 1 for s in lab)
            labs.append(tuple(lab))
        assert len(set(labs)) > 1  # the splits differ
    full = res['full'][0]
    assert read_list(full['labeled']) == train
    assert read_list(full['unlabeled']) == extra
    with open(tmp_path / 'a' / 'full' / 'regime.json') as f:
        info = json.load(f)
    assert info['unlabeled_prefix'] == dict(img_path='leftImg8bit/train_extra')
    assert info['seeds'] == [5, 6, 7] and info['num_labeled_resolved'] == 6
    # deterministic: same arguments -> identical files
    write_splits(
        root,
        'cityscapes',
        regimes,
        num_splits=3,
        seed=5,
        out_dir=str(tmp_path / 'b'))
    for p in glob.glob(str(tmp_path / 'a' / '**' / '*.txt'), recursive=True):
        q = p.replace(str(tmp_path / 'a'), str(tmp_path / 'b'))
        assert open(p).read() == open(q).read()

    # the lists are valid mmseg ann_files
    from mmseg.datasets import CityscapesDataset
    init_default_scope('mmseg')
    ds = CityscapesDataset(
        data_root=root,
        ann_file=res['4'][1]['labeled'],
        data_prefix=dict(
            img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadAnnotations')
        ])
    assert len(ds) == 4 and ds[0]['gt_seg_map'].shape == (32, 64)
    from mmssl.datasets import SemiCityscapesDataset
    unl = SemiCityscapesDataset(
        data_root=root,
        ann_file=full['unlabeled'],
        data_prefix=dict(img_path='leftImg8bit/train_extra'))
    assert len(unl) == 4 and 'seg_map_path' not in unl.get_data_info(0)


def test_write_splits_voc(synthetic_voc_root, tmp_path):
    root = synthetic_voc_root
    train = read_list(f'{root}/ImageSets/Segmentation/train.txt')
    aug = read_list(f'{root}/ImageSets/Segmentation/aug.txt')
    regimes = custom_regimes('voc', [3]) + custom_regimes(
        'voc', [5], ['1/4'], pool='aug')
    assert [r.name for r in regimes] == ['3', 'aug-5', 'aug-1-4']
    res = write_splits(
        root, 'voc', regimes, num_splits=2, seed=0, out_dir=str(tmp_path))
    for name, n, pool in (('3', 3, train), ('aug-5', 5, aug), ('aug-1-4', 3,
                                                               aug)):
        for row in res[name]:
            lab, unl = read_list(row['labeled']), read_list(row['unlabeled'])
            assert len(lab) == n and set(lab) <= set(pool)
            _check_partition(lab, unl, aug)
    from mmseg.datasets import PascalVOCDataset
    init_default_scope('mmseg')
    ds = PascalVOCDataset(
        data_root=root,
        ann_file=res['3'][0]['labeled'],
        data_prefix=dict(
            img_path='JPEGImages', seg_map_path='SegmentationClass'),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadAnnotations')
        ])
    assert len(ds) == 3
    # the dataset reads exactly the listed ids, in the list's order
    lab = read_list(res['3'][0]['labeled'])
    assert [
        osp.basename(ds.get_data_info(i)['img_path']) for i in range(3)
    ] == [f'{i}.jpg' for i in lab]
    r = ds[0]
    assert r['img'].shape[:2] == r['gt_seg_map'].shape


def test_pool_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='aug.txt'):
        list_pool(str(tmp_path), 'voc', 'aug')
    img = tmp_path / 'leftImg8bit' / 'train' / 'aachen'
    img.mkdir(parents=True)
    (img / 'aachen_000000_000019_leftImg8bit.png').write_bytes(b'x')
    with pytest.raises(FileNotFoundError, match='labelTrainIds'):
        list_pool(str(tmp_path), 'cityscapes', 'train')
    assert list_pool(
        str(tmp_path), 'cityscapes', 'train',
        check_labels=False) == ['aachen/aachen_000000_000019']
    with pytest.raises(FileNotFoundError, match='train_extra'):
        list_pool(str(tmp_path), 'cityscapes', 'train_extra')


def test_parse_fraction_and_regime_arguments():
    assert parse_fraction('1/8') == 0.125 == parse_fraction('0.125')
    for bad in ('0', '1.5', 'abc', '1/0', '-1/4'):
        with pytest.raises(ValueError):
            parse_fraction(bad)
    with pytest.raises(ValueError, match='pool'):
        custom_regimes('cityscapes', [4], pool='aug')
    (r, ) = custom_regimes('cityscapes', fractions=['0.3'])
    assert r.name == 'f0.3' and r.count(10) == 3
    with pytest.raises(ValueError, match='at least 1'):
        Regime('z', 'cityscapes', 'train', 'train', 0).count(10)


def test_cli(synthetic_voc_root, tmp_path, capsys):
    spec = importlib.util.spec_from_file_location(
        'make_splits', osp.join(ROOT, 'tools', 'make_splits.py'))
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    out = tmp_path / 'splits'
    cli.main([
        '--dataset', 'voc', '--data-root', synthetic_voc_root, '--out',
        str(out), '--num-labeled', '2', '4', '--fractions', '1/3',
        '--num-splits', '2'
    ])
    printed = capsys.readouterr().out.splitlines()
    expected = []
    for name, n in (('2', 2), ('4', 4), ('1-3', 2)):
        for k in range(2):
            assert len(read_list(out / name / f'split{k}' / 'labeled.txt')) \
                == n
        # one report line per regime, with the counts of the written lists
        # (train 6 labeled pool, aug 12 ids: the rest is unlabeled)
        unl = read_list(out / name / 'split0' / 'unlabeled.txt')
        assert len(unl) == 12 - n
        expected.append(f'{name}: 2 splits, {n} labeled / {len(unl)} '
                        f'unlabeled -> {out / name}')
    assert sorted(printed) == sorted(expected)
    assert not (out / '92').exists()
    with pytest.raises(SystemExit, match=r'requests 92 .*only 6 available'):
        cli.main([
            '--dataset', 'voc', '--data-root', synthetic_voc_root, '--out',
            str(tmp_path / 'p')
        ])


def test_classmix_french_regimes_nest_and_write(synthetic_cityscapes_root,
                                                synthetic_voc_root,
                                                tmp_path):
    """The new regimes share the seeded draw of the old ones (100 labeled is
    a subset of 372 for one split), and 'all' / 'aug-all' write the whole
    pool as both lists."""
    cs, voc = _fake_pools()
    regs = {r.name: r for r in PAPER_REGIMES['cityscapes']}
    assert set(make_split(regs['100'], cs, 3)[0]) < set(
        make_split(regs['1-8'], cs, 3)[0])
    vregs = {r.name: r for r in PAPER_REGIMES['voc']}
    assert set(make_split(vregs['aug-1-100'], voc, 1)[0]) < set(
        make_split(vregs['aug-1-20'], voc, 1)[0]) < set(
            make_split(vregs['aug-1-8'], voc, 1)[0])
    # on the small generated data (6 Cityscapes train images, 12 VOC aug)
    res = write_splits(synthetic_cityscapes_root, 'cityscapes',
                       [regs['all']], num_splits=2, out_dir=str(tmp_path))
    train = list_pool(synthetic_cityscapes_root, 'cityscapes', 'train')
    for row in res['all']:
        assert read_list(row['labeled']) == read_list(
            row['unlabeled']) == train
    with open(tmp_path / 'all' / 'regime.json') as f:
        info = json.load(f)
    assert info['unlabeled_keeps_labeled'] is True
    assert info['unlabeled_prefix'] == dict(img_path='leftImg8bit/train')
    res = write_splits(synthetic_voc_root, 'voc', [vregs['aug-all']],
                       num_splits=1, out_dir=str(tmp_path / 'voc'))
    aug = list_pool(synthetic_voc_root, 'voc', 'aug')
    assert read_list(res['aug-all'][0]['labeled']) == aug == read_list(
        res['aug-all'][0]['unlabeled'])
    with pytest.raises(ValueError, match=r"'aug-1-100'.*requests 106"):
        write_splits(synthetic_voc_root, 'voc', [vregs['aug-1-100']],
                     out_dir=str(tmp_path / 'x'))


def test_cli_named_regimes(synthetic_cityscapes_root, tmp_path, capsys):
    spec = importlib.util.spec_from_file_location(
        'make_splits', osp.join(ROOT, 'tools', 'make_splits.py'))
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    out = tmp_path / 'splits'
    cli.main([
        '--dataset', 'cityscapes', '--data-root', synthetic_cityscapes_root,
        '--out', str(out), '--regimes', 'all', '--num-labeled', '2',
        '--num-splits', '1'
    ])
    printed = sorted(capsys.readouterr().out.splitlines())
    assert printed == [f'2: 1 splits, 2 labeled / 4 unlabeled -> {out / "2"}',
                       f'all: 1 splits, 6 labeled / 6 unlabeled -> '
                       f'{out / "all"}']
    with pytest.raises(SystemExit, match=r"\['1-30'\] are not paper"):
        cli.main(['--dataset', 'cityscapes', '--data-root',
                  synthetic_cityscapes_root, '--regimes', '1-30'])

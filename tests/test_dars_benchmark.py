"""The DARS learning benchmark's plumbing (fast, no training):

* ``tools/dars_rounds.py --round0-checkpoint`` uses the given round-0 model
  (round 0 is not trained) and ``--cfg-options`` reach the pseudo-labeling
  step as well as the round configs;
* ``tools/benchmark_learning.py``: the data root / split overrides reach
  the online DARS filter's target (a labeled dataset config), checked on
  data seed 1 by building the filter; per-class report against another
  method (``--compare-to``).
"""
import importlib.util
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config, DictAction

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DARS_DEMO = osp.join(
    ROOT, 'configs', 'dars',
    'dars_deeplabv3plus_r18-d8_1xb8-explicit-cpu-100i_synthcityscapes-8.py')


def _tool(name):
    spec = importlib.util.spec_from_file_location(
        name, osp.join(ROOT, 'tools', f'{name}.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _cfg_options(opts):
    """``KEY=VALUE`` strings parsed as tools/train.py's --cfg-options."""
    ns = type('NS', (), {})()
    DictAction(option_strings=[], dest='d')(None, ns, opts)
    return ns.d


def test_rounds_take_round0_checkpoint_and_options(tmp_path, monkeypatch):
    rounds = _tool('dars_rounds')
    calls = []
    monkeypatch.setattr(
        rounds, 'train',
        lambda config, work_dir, gpus, ckpt: calls.append(
            ('train', config, ckpt)))
    monkeypatch.setattr(
        rounds, 'pseudo_label',
        lambda config, ckpt, out, alpha, gpus: calls.append(
            ('label', config, ckpt, alpha)))
    ckpt0 = tmp_path / 'warmup' / 'iter_300.pth'
    ckpt0.parent.mkdir()
    ckpt0.write_bytes(b'x')
    work = tmp_path / 'work'
    root = 'data/other/cityscapes/'
    final = rounds.main([
        DARS_DEMO, '--work-dir', str(work), '--round0-checkpoint',
        str(ckpt0), '--cfg-options', f'pseudo_label_cfg.labeled.data_root='
        f'{root}', f'pseudo_label_cfg.unlabeled.data_root={root}',
        f'train_dataloader.dataset.labeled.data_root={root}'
    ])
    assert [c[0] for c in calls] == ['label', 'train', 'label', 'train']
    # round 0 is the given checkpoint: labels round 1, initialises round 1
    assert calls[0][2] == str(ckpt0) and calls[0][3] == 0.2
    r1 = Config.fromfile(str(work / 'round1' / 'round1_config.py'))
    assert r1.load_from == str(ckpt0)
    assert r1.train_dataloader.dataset.labeled.data_root == root
    assert calls[2][2] == str(work / 'round1' / 'iter_100.pth')
    assert final == str(work / 'round2' / 'iter_100.pth')
    # pseudo-labeling reads the merged config (the options reach it)
    label_cfg = Config.fromfile(calls[0][1])
    assert calls[0][1] == str(work / 'dars_config.py')
    assert label_cfg.pseudo_label_cfg.labeled.data_root == root
    assert label_cfg.pseudo_label_cfg.unlabeled.data_root == root
    assert not (work / 'round0').exists()
    with pytest.raises(FileNotFoundError, match='round0-checkpoint'):
        rounds.main([DARS_DEMO, '--work-dir', str(work),
                     '--round0-checkpoint', str(tmp_path / 'missing.pth')])


def test_benchmark_overrides_reach_filter_target(tmp_path):
    bench = _tool('benchmark_learning')
    rel = bench.CONFIGS['dense_fixmatch_dars']
    assert bench.is_semi(rel) and bench.has_filter_target(rel)
    assert not bench.has_filter_target(bench.CONFIGS['dense_fixmatch'])
    assert not bench.has_filter_target(bench.CONFIGS['baseline'])
    cfg = Config.fromfile(osp.join(ROOT, rel))
    _, cs_root = bench.data_root_for(1)
    split = 'splits/8/split0'
    cfg.merge_from_dict(_cfg_options(
        bench.split_opts(True, split, True) +
        bench.train_root_opts(True, cs_root, True)))
    target = cfg.model.semi_train_cfg.pseudo_label_filter.target
    labeled = cfg.train_dataloader.dataset.labeled
    assert target.data_root == labeled.data_root == cs_root
    assert target.ann_file == labeled.ann_file == f'{split}/labeled.txt'
    assert target.data_prefix == labeled.data_prefix
    # the built filter's target is the distribution of the split the
    # overrides point to: two tiny generated datasets (generator seeds 0
    # and 1) stand for the benchmark's data seeds
    import subprocess
    import sys

    from mmssl.datasets.synthetic import generate_dataset
    roots = []
    for seed in (0, 1):
        res = generate_dataset(str(tmp_path / f'data{seed}'), 'cityscapes',
                               seed=seed, num_train=6, num_val=2,
                               num_extra=0, size=(64, 32))
        subprocess.run([
            sys.executable, 'tools/make_splits.py', '--dataset',
            'cityscapes', '--data-root', res['root'], '--num-labeled', '3',
            '--num-splits', '1'
        ], cwd=ROOT, check=True, capture_output=True)
        roots.append(res['root'] + '/')
    split = 'splits/3/split0'
    cfg = Config.fromfile(osp.join(ROOT, rel))
    cfg.merge_from_dict(_cfg_options(
        bench.split_opts(True, split, True) +
        bench.train_root_opts(True, roots[1], True)))
    labeled = cfg.train_dataloader.dataset.labeled
    import mmssl  # noqa: F401
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS

    from mmssl.pseudo_labeling.class_distribution import \
        load_target_distribution
    init_default_scope('mmseg')
    filt = MODELS.build(dict(cfg.model.semi_train_cfg.pseudo_label_filter))
    own = load_target_distribution(
        {k: v for k, v in labeled.items() if k != 'pipeline'}, 19)
    # the filter reads its target at the first training call (lazily)
    np.testing.assert_allclose(filt.target_distribution().numpy(), own)
    seed0 = load_target_distribution(
        dict(labeled, data_root=roots[0], pipeline=[]), 19)
    assert not np.allclose(own, seed0), 'data seeds 0 and 1 look the same'


def test_per_class_report_against_another_method(capsys):
    bench = _tool('benchmark_learning')

    def rec(**iou):
        return dict(per_class_iou=iou)

    results = {
        (0, 0, 'baseline'): rec(road=50.0, bus=1.0),
        (0, 0, 'dense_fixmatch'): rec(road=60.0, bus=0.0),
        (0, 0, 'dense_fixmatch_dars'): rec(road=58.0, bus=4.0),
        (1, 0, 'baseline'): rec(road=40.0, bus=2.0),
        (1, 0, 'dense_fixmatch'): rec(road=50.0, bus=2.0),
        (1, 0, 'dense_fixmatch_dars'): rec(road=49.0, bus=3.0),
    }
    methods = ['baseline', 'dense_fixmatch', 'dense_fixmatch_dars']
    pairs = [(0, 0), (1, 0)]
    base = bench.per_class_report(results, methods, pairs)
    assert set(base) == {'dense_fixmatch', 'dense_fixmatch_dars'}
    vs = bench.per_class_report(results, methods, pairs, 'dense_fixmatch')
    assert set(vs) == {'dense_fixmatch_dars'}  # not the baseline
    mean = vs['dense_fixmatch_dars']['mean']
    assert mean['change'] == {'road': -1.5, 'bus': 2.5}
    assert vs['dense_fixmatch_dars']['reference'] == 'dense_fixmatch'
    out = capsys.readouterr().out
    assert 'change = method - dense_fixmatch)' in out
    assert bench.per_class_report(results, methods, pairs, 'cutmix') == {}

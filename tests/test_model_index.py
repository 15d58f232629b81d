"""The OpenMMLab model index (issue 19): ``model-index.yml`` imports every
method folder's ``metafile.yml``; every entry names an existing config whose
metadata matches it; every non-demo config of a method folder is listed;
results are the papers' (marked ``Source: paper``), and the per-folder
README tables are what ``tools/misc/gen_config_readmes.py`` makes of them.

Every config is loaded by tests/test_configs.py
(test_config_loads_and_matches_name); here the first entry of three
metafiles (a Dense FixMatch, a multi-task and a DARS config) is loaded and
compared with its metadata (loading all ~360 costs minutes on 2 cores).
"""
import functools
import glob
import os.path as osp
import re
import sys

import pytest
import yaml

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(ROOT, 'tools', 'misc'))
import gen_config_readmes  # noqa: E402
import gen_metafiles  # noqa: E402

METAFILES = sorted(glob.glob(osp.join(ROOT, 'configs', '*', 'metafile.yml')))
HINT = ('run python tools/misc/gen_metafiles.py && python '
        'tools/misc/gen_config_readmes.py')


@functools.lru_cache(maxsize=None)
def load(path):
    with open(path) as f:
        return yaml.load(f, Loader=getattr(yaml, 'CSafeLoader',
                                           yaml.SafeLoader))


def test_model_index_imports_every_metafile():
    index = load(osp.join(ROOT, 'model-index.yml'))
    listed = {osp.normpath(osp.join(ROOT, p)) for p in index['Import']}
    assert listed == set(METAFILES)
    # every method folder has one (all folders but _base_ and the CPU
    # demo / benchmark ones)
    folders = {
        osp.basename(p) for p in glob.glob(osp.join(ROOT, 'configs', '*'))
        if osp.isdir(p)
        and osp.basename(p) not in ('_base_', 'demo', 'cpu_benchmark')
    }
    assert folders == {osp.basename(osp.dirname(p)) for p in METAFILES}
    assert folders == set(gen_metafiles.FOLDERS)


@pytest.mark.parametrize('metafile', METAFILES,
                         ids=lambda p: osp.basename(osp.dirname(p)))
def test_metafile_schema_and_coverage(metafile):
    meta = load(metafile)
    folder = osp.basename(osp.dirname(metafile))
    coll, = meta['Collections']
    assert coll['Paper']['Title'] and coll['Paper']['URL'].startswith(
        'https://')
    names = set()
    for m in meta['Models']:
        assert m['In Collection'] == coll['Name']
        cfg_path = osp.join(ROOT, m['Config'])
        assert osp.isfile(cfg_path), (m['Config'], HINT)
        assert osp.basename(m['Config']) == m['Name'] + '.py'
        assert m['Config'].startswith(f'configs/{folder}/')
        md = m['Metadata']
        for key in ('Training Data', 'Training Resources', 'Iterations',
                    'Batch Size'):
            assert key in md, (m['Name'], key)
        gpus, per_gpu = re.search(r'_(\d+)xb(\d+)', m['Name']).groups()
        assert md['Batch Size'] == int(gpus) * int(per_gpu)
        assert 'Weights' not in m  # no checkpoints exist
        for r in m.get('Results', []):
            assert r['Source'] == 'paper' and r['Reference']
            assert r['Task'] in ('Semantic Segmentation', 'Object Detection')
            assert all(0 < v <= 100 for k, v in r['Metrics'].items()
                       if 'std' not in k)
        if not m.get('Results'):
            assert 'no' in m['Notes'].lower(), m['Name']  # says why
        names.add(m['Name'])
    on_disk = {
        osp.basename(p)[:-3]
        for p in glob.glob(osp.join(ROOT, 'configs', folder, '*.py'))
        if not gen_metafiles.is_demo(osp.basename(p)[:-3])
    }
    assert on_disk - names == set(), (sorted(on_disk - names), HINT)
    assert names - on_disk == set(), (sorted(names - on_disk), HINT)


@pytest.mark.parametrize('folder', ['dense_fixmatch', 'semi_multitask',
                                    'dars'])
def test_entries_load_and_match_their_configs(folder):
    metafile = osp.join(ROOT, 'configs', folder, 'metafile.yml')
    from mmengine.config import Config
    m = load(metafile)['Models'][0]
    cfg = Config.fromfile(osp.join(ROOT, m['Config']))
    assert m['Metadata']['Iterations'] == cfg.train_cfg.max_iters
    per_gpu = int(re.search(r'_\d+xb(\d+)', m['Name']).group(1))
    assert cfg.train_dataloader.batch_size == per_gpu


def test_paper_numbers_spot_checks():
    """A few entries against the papers' tables, read by hand."""
    by_name = {m['Name']: m for p in METAFILES for m in load(p)['Models']}

    def metric(name, task='Semantic Segmentation', key='mIoU'):
        r = [r for r in by_name[name]['Results'] if r['Task'] == task]
        return r[0]['Metrics'][key]

    # Dense FixMatch table 1, R50 explicit 1/32: .6581
    assert metric('dense-fixmatch_deeplabv3plus_r50-d8_4xb4-explicit-89k_'
                  'cityscapes-1-32') == 65.81
    # multi-task paper table 4, FixMatch* explicit, Lu on all, +extra
    name = ('fixmatch-star_deeplabv3plus-retinanet_r50_4xb4-explicit-150k_'
            'cityscapes-mt-full-extra')
    assert metric(name) == 78.57
    assert metric(name, 'Object Detection', 'box AP') == 38.48
    # French et al. table 1, CutMix 1/8: 60.34 +- 1.24
    assert metric('cutmix-mt_deeplabv2_r101-d8_1xb8-explicit-40k_'
                  'cityscapes-1-8') == 60.34
    # ClassMix reports no result for all labels: no invented number
    cm_all = by_name['classmix_deeplabv2_r101-d8_1xb4-explicit-40k_'
                     'cityscapes-all']
    assert 'Results' not in cm_all


def test_config_readmes_are_generated_from_metafiles(capsys):
    assert gen_config_readmes.main(['--check']) == 0, capsys.readouterr().out

"""Every multi-task config (``configs/semi_multitask/`` and the multi-task
CPU demo) is what its name says:
``method_model_backbone_<g>xb<b>-[explicit-|implicit-][lu-unlabeled-]<N>k_<dataset>-mt[-<regime>].py``
where ``model`` is ``deeplabv3plus-retinanet`` (both tasks),
``deeplabv3plus`` (segmentation only) or ``retinanet`` (detection only),
``dataset`` ``cityscapes`` or ``bdd100k`` and ``regime`` one of the paper's
settings (figure 1: ``a``..``e`` with their sizes; ``seg-N`` / ``det-N``
for single-task rows; table 4: ``full``, ``full-extra``,
``full-extra-sequence``; table 7 (BDD100K): none for the semi-supervised
models, the training subset ``any`` / ``both`` / ``seg`` / ``det`` for the
supervised ones).

Every name is parsed; the configs are loaded for one representative per
(method, model, sampling, setting) to keep the suite fast (set
``MMSSL_TEST_ALL_CONFIG_MODELS=1`` to load all).
"""
import glob
import os
import os.path as osp
import re

import pytest
from mmengine import Config
from mmengine.registry import init_default_scope

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
MT_ROOT = osp.join(REPO, 'configs', 'semi_multitask')
CONFIGS = sorted(glob.glob(osp.join(MT_ROOT, '*.py'))) + sorted(
    glob.glob(osp.join(REPO, 'configs', 'demo', '*retinanet*.py')))
NAME_RE = re.compile(
    r'^(?P<method>dense-fixmatch|fixmatch-star|multitask-sup|seg-only-sup|'
    r'det-only-sup)_(?P<model>deeplabv3plus-retinanet|deeplabv3plus|'
    r'retinanet)_(?P<backbone>r\d+)_(?P<gpus>\d+)xb(?P<batch>\d+)-'
    r'(?P<tags>(?:[a-z][a-z0-9]*-)*)(?P<iters>\d+)(?P<unit>[ki])_'
    r'(?P<synth>synth)?(?P<dataset>cityscapes|bdd100k)-mt'
    r'(?:-(?P<regime>[a-z]+(?:-\d+)+|full(?:-extra(?:-sequence)?)?|'
    r'any|both|seg|det))?\.py$')
SEMI = ('dense-fixmatch', 'fixmatch-star')


def parse(path):
    m = NAME_RE.match(osp.basename(path))
    assert m, f'{osp.basename(path)}: name does not follow the convention'
    info = m.groupdict()
    info['tags'] = info['tags'].rstrip('-').split('-') if info['tags'] else []
    info['semi'] = info['method'] in SEMI
    return info


def regime_kind(regime):
    """``'a'`` for ``a-93``, ``'full-extra'`` for itself, ``''`` for none."""
    return re.sub(r'-\d+', '', regime or '')


def representatives():
    if os.environ.get('MMSSL_TEST_ALL_CONFIG_MODELS') == '1':
        return CONFIGS
    chosen = {}
    for path in CONFIGS:
        i = parse(path)
        key = (i['method'], i['model'], tuple(i['tags']), i['dataset'],
               regime_kind(i['regime']), i['synth'])
        chosen.setdefault(key, path)
    return sorted(chosen.values())


@pytest.fixture(scope='module', autouse=True)
def _scope():
    import mmssl  # noqa: F401
    init_default_scope('mmseg')


def test_multitask_grid_is_complete():
    names = {osp.basename(p) for p in CONFIGS}
    assert len(names) >= 180
    for method in SEMI:
        for samp in ('explicit', 'implicit'):
            for reg in ('a-93', 'b-372', 'c-1488', 'd-93-744', 'e-186-1488'):
                assert (f'{method}_deeplabv3plus-retinanet_r50_4xb4-{samp}-'
                        f'89k_cityscapes-mt-{reg}.py') in names


def test_table4_and_table7_grids_are_complete():
    """Full Cityscapes (table 4) and BDD100K (table 7): every row."""
    names = {osp.basename(p) for p in CONFIGS}
    model = 'deeplabv3plus-retinanet_r50'
    expected = {
        f'multitask-sup_{model}_4xb2-150k_cityscapes-mt-full.py',
        f'multitask-sup_{model}_4xb2-300k_bdd100k-mt-any.py',
        f'multitask-sup_{model}_4xb2-300k_bdd100k-mt-both.py',
        'seg-only-sup_deeplabv3plus_r50_4xb2-300k_bdd100k-mt-seg.py',
        'det-only-sup_retinanet_r50_4xb2-300k_bdd100k-mt-det.py',
    }
    for method in SEMI:
        expected.add(f'{method}_{model}_4xb4-150k_cityscapes-mt-full.py')
        for samp in ('explicit', 'implicit'):
            for lu in ('', 'lu-unlabeled-'):
                for extra in ('extra', 'extra-sequence'):
                    expected.add(f'{method}_{model}_4xb4-{samp}-{lu}150k_'
                                 f'cityscapes-mt-full-{extra}.py')
                expected.add(
                    f'{method}_{model}_4xb4-{samp}-{lu}300k_bdd100k-mt.py')
    assert expected <= names, sorted(expected - names)


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_multitask_name_parses(path):
    parse(path)
    with open(path) as f:
        assert f.readline().startswith('#'), 'no header comment'


@pytest.mark.parametrize('path', representatives(), ids=osp.basename)
def test_multitask_config_matches_its_name(path):
    info = parse(path)
    cfg = Config.fromfile(path)
    assert 'mmssl' in cfg.custom_imports['imports']
    if info['semi']:
        assert cfg.model.type == 'SemiMultiTask'
        from mmseg.registry import MODELS
        MODELS.get('SemiMultiTask').check_semi_train_cfg(
            dict(cfg.model.semi_train_cfg))
        net = cfg.model.model
    else:
        assert cfg.model.type == 'MultiTaskSegDet'
        net = cfg.model
    with_seg = 'deeplabv3plus' in info['model']
    with_det = 'retinanet' in info['model']
    assert (net.get('decode_head') is not None) == with_seg
    assert (net.get('bbox_head') is not None) == with_det
    if with_det:
        assert net.bbox_head.type == 'mmdet.RetinaHead'
        assert net.bbox_head.loss_bbox.type.endswith('GIoULoss')
        assert net.bbox_head.loss_cls.type.endswith('FocalLoss')
    if with_seg:
        assert net.decode_head.type == 'DepthwiseSeparableASPPHead'
    assert net.backbone.depth == int(info['backbone'][1:])
    # schedule, batch and sampling as named
    iters = int(info['iters']) * (1000 if info['unit'] == 'k' else 1)
    if info['unit'] == 'k':
        assert round(cfg.train_cfg.max_iters / 1000) == int(info['iters'])
    else:
        assert cfg.train_cfg.max_iters == iters
    dl = cfg.train_dataloader
    assert dl.batch_size == int(info['batch'])
    kind = regime_kind(info['regime'])
    if 'explicit' in info['tags']:
        assert dl.sampler.type == 'ExplicitSemiSampler'
        assert dl.sampler.batch_size == dl.batch_size
    elif 'implicit' in info['tags']:
        assert dl.sampler.type == 'ImplicitSemiSampler'
    else:  # supervised, or Lu on the labeled full train set only (table 4)
        assert not info['semi'] or kind == 'full'
        assert dl.sampler.type == 'InfiniteSampler'
    if info['semi']:
        semi_cfg = cfg.model.semi_train_cfg
        assert semi_cfg.unsup_on == ('unlabeled' if 'unlabeled' in
                                     info['tags'] else 'all')
        ramp = [h for h in cfg.custom_hooks
                if h.type == 'UnsupWeightHook'][0]
        assert 'RNGStateHook' in [h.type for h in cfg.custom_hooks]
        paper_ramp = (0.1 if kind.startswith('full')
                      or info['dataset'] == 'bdd100k' else 0.05)
        assert ramp.get('warmup_ratio') == paper_ramp or info['synth']
    text = str(dl.dataset)
    if info['dataset'] == 'bdd100k':
        assert net.get('bbox_head') is None or net.bbox_head.num_classes == 10
        assert 'splits/multitask' not in text
        if info['semi'] and 'explicit' in info['tags']:
            assert dl.dataset.labeled.subset == 'both'
            assert dl.dataset.unlabeled.subset == 'not_both'
        elif not info['semi']:
            assert dl.dataset.subset == info['regime']
        split_regime = False
    elif kind.startswith('full'):
        # table 4: all train labeled (no split files), extra sets unlabeled
        assert 'splits/multitask' not in text
        sets = {'full': [], 'full-extra': ['train_extra'],
                'full-extra-sequence': ['train_extra', 'sequence']}[kind]
        if info['semi'] and sets:
            unl = dl.dataset.unlabeled
            members = unl.datasets if unl.type == 'ConcatDataset' else [unl]
            assert [m.ann_file for m in members] == [
                f'annotations/multitask_images_{n}.json' for n in sets]
            assert dl.dataset.labeled.subset == 'any'
        split_regime = False
    else:
        split_regime = True
    if split_regime:
        # split files of the named regime
        kind_, *sizes = info['regime'].split('-')
        if kind_ in ('seg', 'det'):  # single-task rows: that task's split
            # of a setting with the same size for both tasks (a or b)
            regime = re.compile(r'splits/multitask/[ab]-' + sizes[0] + '/')
        else:
            regime = re.compile(f'splits/multitask/{info["regime"]}/')
        assert regime.search(text) or info['synth'], info['regime']
    # checkpoint selection: the paper's combined metric for both tasks
    best = cfg.default_hooks.checkpoint.get('save_best')
    if with_seg and with_det:
        assert best == 'multitask/gmean'
    else:
        assert best, 'no save_best'


def test_multitask_demo_model_builds():
    """The CPU demo's SemiMultiTask builds (R18, no weights)."""
    from mmseg.registry import MODELS
    demo = [p for p in CONFIGS if 'synth' in p]
    assert demo
    cfg = Config.fromfile(demo[0])
    model = MODELS.build(cfg.model)
    assert model.student.decode_head is not None
    assert model.student.bbox_head is not None

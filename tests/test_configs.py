"""Every config under ``configs/`` loads, builds and is what its name says.

File names follow ``[method_]model_backbone_schedule_dataset-regime.py``,
e.g. ``dense-fixmatch_deeplabv3plus_r50-d8_4xb4-explicit-89k_cityscapes-1-32``
or ``classmix_deeplabv2_r101-d8_1xb4-explicit-40k_cityscapes-100`` (method
omitted for the supervised baselines): the tests parse the name and
check the config against it (sampler, per-GPU batch, iterations, backbone,
split files, number of classes), so a copy-pasted config that kept its
sibling's split or schedule fails here.

Cost control (2 CPU cores): every config is loaded (``mmseg::`` base lookups
are memoised for the session) and checked, and its training transforms are
built; the model itself is built (shrunk to a random-init ResNetV1c-18) for
one config per directory, dataset and kind (semi / supervised). Set
``MMSSL_TEST_ALL_CONFIG_MODELS=1`` to build every config's model.
"""
import copy
import functools
import glob
import os
import os.path as osp
import re

import numpy as np
import pytest
import torch
from mmengine import Config
from mmengine.config import config as mmengine_config
from mmengine.registry import init_default_scope

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG_ROOT = osp.join(REPO, 'configs')
CONFIGS = sorted(
    osp.relpath(p, CONFIG_ROOT)
    for p in glob.glob(osp.join(CONFIG_ROOT, '**', '*.py'), recursive=True)
    if '_base_' not in osp.relpath(p, CONFIG_ROOT).split(os.sep)
    # DARS rounds train plain segmentors: tests/test_dars_configs.py;
    # multi-task models: tests/test_multitask_configs.py; UniMatch (output
    # stride 16, epoch-based names): tests/test_unimatch_configs.py; UniMatch
    # V2: tests/test_unimatch_v2_configs.py; the CPU benchmark (output
    # stride 16, no iteration counts in the names):
    # tests/test_cpu_benchmark_configs.py
    and osp.relpath(p, CONFIG_ROOT).split(os.sep)[0] not in (
        'dars', 'semi_multitask', 'unimatch', 'unimatch_v2',
        'cpu_benchmark') and 'retinanet'
    not in osp.basename(p) and not osp.basename(p).startswith(
        ('unimatch_', 'unimatch-v2_')))

NAME_RE = re.compile(
    r'^(?:(?P<method>[a-z][a-z-]*)_)?(?P<model>deeplabv3plus|deeplabv2|pspnet)'
    r'_(?P<backbone>r\d+)-d8_'
    r'(?P<gpus>\d+)xb(?P<batch>\d+)-(?P<tags>(?:[a-z][a-z0-9-]*-)?)'
    r'(?P<iters>\d+)(?P<unit>[ki])_'
    r'(?P<synth>synth)?(?P<dataset>cityscapes|voc12)-(?P<regime>[a-z0-9-]+)'
    r'\.py$')
# mixing methods (MixSemiSegmentor): ClassMix, French et al.'s CutMix /
# Cutout mean teacher
MIX_METHODS = ('classmix', 'cutmix-mt', 'cutout-mt')
# dense-fixmatch-dars: Dense FixMatch + the online DARS pseudo-label filter
SEMI_METHODS = ('dense-fixmatch', 'dense-fixmatch-dars', 'fixmatch-star',
                'mean-teacher') + MIX_METHODS
HEAD_TYPES = dict(deeplabv3plus='DepthwiseSeparableASPPHead',
                  deeplabv2='DeepLabV2Head', pspnet='PSPHead')
NUM_CLASSES = dict(cityscapes=19, voc12=21)
SPLITS_DATASET = dict(cityscapes='cityscapes', voc12='voc')
# which methods each directory may hold (None = supervised baseline)
DIR_METHODS = dict(
    baseline=(None, ),
    dense_fixmatch=('dense-fixmatch', 'mean-teacher'),
    fixmatch=('fixmatch-star', ),
    classmix=('classmix', ),
    cutmix=('cutmix-mt', ),
    cutout=('cutout-mt', ),
    demo=(None, ) + SEMI_METHODS)
PHOTOMETRIC = {
    'mmdet.AutoContrast', 'mmdet.Equalize', 'mmdet.Invert', 'mmdet.Solarize',
    'mmdet.Posterize', 'mmdet.Color', 'mmdet.Contrast', 'mmdet.Brightness',
    'mmdet.Sharpness'
}
# shrunk model: ResNetV1c-18 (stage widths 64..512), small heads
R18_DECODE = dict(in_channels=512, c1_in_channels=64, channels=64,
                  c1_channels=16)
R18_AUX = dict(in_channels=256, channels=32)
R18_HEADS = dict(
    DepthwiseSeparableASPPHead=R18_DECODE,
    DeepLabV2Head=dict(in_channels=512),
    PSPHead=dict(in_channels=512, channels=64))


# ----------------------------------------------------------------- helpers
@pytest.fixture(scope='module', autouse=True)
def _fast_external_cfg_lookup():
    """Memoise mmengine's ``mmseg::`` lookup, which parses all ~100 mmseg
    metafiles on every call (about 0.5 s per config here)."""
    orig = mmengine_config._get_external_cfg_path
    cache = {}

    @functools.wraps(orig)
    def cached(package_path, cfg_file):
        key = (package_path, cfg_file)
        if key not in cache:
            try:
                cache[key] = ('ok', orig(package_path, cfg_file))
            except ValueError as e:  # not in a metafile: a _base_ file
                cache[key] = ('err', e)
        kind, value = cache[key]
        if kind == 'err':
            raise value
        return value

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(mmengine_config, '_get_external_cfg_path', cached)
        import mmssl  # noqa: F401  (registers the mmssl types)
        init_default_scope('mmseg')
        yield


@functools.lru_cache(maxsize=None)
def _load(rel):
    return Config.fromfile(osp.join(CONFIG_ROOT, rel))


def load_cfg(rel):
    """A private copy of the loaded config (tests may modify it)."""
    return copy.deepcopy(_load(rel))


def parse_name(rel):
    m = NAME_RE.match(osp.basename(rel))
    assert m, (f'{rel}: name does not follow '
               '[method_]deeplabv3plus_rXX-d8_<g>xb<b>-[tags-]<N>k_'
               '<dataset>-<regime>.py')
    info = m.groupdict()
    info['semi'] = info['method'] is not None
    info['mix'] = info['method'] in MIX_METHODS
    info['tags'] = info['tags'].rstrip('-').split('-') if info['tags'] else []
    info['depth'] = int(info['backbone'][1:])
    info['num_classes'] = NUM_CLASSES[info['dataset']]
    info['dir'] = rel.split(os.sep)[0]
    return info


def segmentor_cfg(cfg, info):
    return cfg.model.segmentor if info['semi'] else cfg.model


def train_datasets(cfg, info):
    """(labeled, unlabeled or None) dataset configs."""
    ds = cfg.train_dataloader.dataset
    if info['semi']:
        assert ds.type == 'SemiDataset'
        return ds.labeled, ds.unlabeled
    return ds, None


def views_of(pipeline):
    views = [t for t in pipeline if t['type'] == 'SemiViews']
    assert len(views) == 1, f'expected one SemiViews, got {len(views)}'
    return views[0]


def train_crop_hw(cfg, info):
    labeled, _ = train_datasets(cfg, info)
    if info['semi']:
        return tuple(views_of(labeled.pipeline).crop_size)
    crops = [t for t in labeled.pipeline if t['type'] == 'mmdet.RandomCrop']
    assert len(crops) == 1
    w, h = crops[0].crop_size  # mmdet RandomCrop takes (w, h)
    return (h, w)


def _no_weights(node):
    """Set every ``pretrained`` / ``init_cfg`` to None, recursively."""
    if isinstance(node, dict):
        for key in ('pretrained', 'init_cfg'):
            if key in node:
                node[key] = None
        for value in node.values():
            _no_weights(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _no_weights(value)


def small_model_cfg(cfg, info):
    """The config's model with SyncBN -> BN, no weights, ResNetV1c-18."""
    from mmssl.utils import replace_sync_bn
    model = copy.deepcopy(cfg.model)
    replace_sync_bn(model)
    _no_weights(model)
    seg = model.segmentor if info['semi'] else model
    seg.backbone.depth = 18
    seg.decode_head.update(R18_HEADS[seg.decode_head.type])
    if seg.get('auxiliary_head'):
        seg.auxiliary_head.update(R18_AUX)
    assert '://' not in str(model), 'a weight URL survived: would download'
    return model


def model_build_subset():
    """First config per (directory, dataset, semi/supervised)."""
    if os.environ.get('MMSSL_TEST_ALL_CONFIG_MODELS') == '1':
        return list(CONFIGS)
    chosen = {}
    for rel in CONFIGS:
        m = NAME_RE.match(osp.basename(rel))
        if m is None:
            chosen.setdefault(rel, rel)  # fails in test_name_convention
            continue
        key = (rel.split(os.sep)[0], m['dataset'], m['method'] is None,
               m['model'])
        chosen.setdefault(key, rel)
    return sorted(chosen.values())


def _is_semi_name(rel):
    m = NAME_RE.match(osp.basename(rel))
    return m is not None and m['method'] is not None


SEMI_CONFIGS = [rel for rel in CONFIGS if _is_semi_name(rel)]


# ------------------------------------------------------------------- tests
def test_configs_found():
    dirs = {rel.split(os.sep)[0] for rel in CONFIGS}
    assert {'baseline', 'dense_fixmatch', 'fixmatch'} <= dirs
    assert len(CONFIGS) >= 80
    # the paper grid is complete
    names = {osp.basename(rel) for rel in CONFIGS}
    for bb in ('r50', 'r101'):
        for reg in ('1-32', '1-16', '1-8', '1-4', '1-2', 'full'):
            assert f'deeplabv3plus_{bb}-d8_4xb2-89k_cityscapes-{reg}.py' in \
                names
            sched = '150k' if reg == 'full' else '89k'
            for samp in ('explicit', 'implicit'):
                assert (f'dense-fixmatch_deeplabv3plus_{bb}-d8_4xb4-{samp}-'
                        f'{sched}_cityscapes-{reg}.py') in names
        for reg in ('92', '183', '366', '732', '1464'):
            assert f'deeplabv3plus_{bb}-d8_4xb2-53k_voc12-{reg}.py' in names
            for samp in ('explicit', 'implicit'):
                assert (f'dense-fixmatch_deeplabv3plus_{bb}-d8_4xb4-{samp}-'
                        f'53k_voc12-{reg}.py') in names
    for reg in ('1-32', '1-16', '1-8', '1-4', '1-2'):
        assert (f'fixmatch-star_deeplabv3plus_r50-d8_4xb4-explicit-89k_'
                f'cityscapes-{reg}.py') in names


@pytest.mark.parametrize('rel', CONFIGS)
def test_name_convention(rel):
    info = parse_name(rel)
    assert info['dir'] in DIR_METHODS, f'unexpected directory {info["dir"]}'
    assert info['method'] in DIR_METHODS[info['dir']], (
        f'{rel}: method {info["method"]!r} does not belong in '
        f'configs/{info["dir"]}/')
    if info['semi']:
        assert ('explicit' in info['tags']) != ('implicit' in info['tags'])
    with open(osp.join(CONFIG_ROOT, rel)) as f:
        assert f.readline().startswith('#'), (
            f'{rel}: must start with a comment saying what it is')


@pytest.mark.parametrize('rel', CONFIGS)
def test_config_loads_and_matches_name(rel):
    info = parse_name(rel)
    cfg = load_cfg(rel)
    imports = cfg.get('custom_imports', {})
    assert 'mmssl' in imports.get('imports', []), 'custom_imports lacks mmssl'
    assert not imports.get('allow_failed_imports', False)
    assert cfg.default_scope == 'mmseg'
    if 'semi_train_cfg' in cfg.model:  # only keys the model reads
        from mmseg.registry import MODELS
        MODELS.get(cfg.model.type).check_semi_train_cfg(
            dict(cfg.model.semi_train_cfg))

    seg = segmentor_cfg(cfg, info)
    if info['mix']:
        assert cfg.model.type == 'MixSemiSegmentor'
        assert seg.type == 'EncoderDecoder'
        stc = cfg.model.semi_train_cfg
        assert stc.unsup_on == 'unlabeled', 'mixing uses unlabeled samples'
        gen = stc.mask_generator['type']
        if info['method'] == 'classmix':
            assert gen == 'ClassMixMaskGenerator'
            assert stc.consistency_loss == 'cross_entropy'
            assert stc.confidence_threshold == pytest.approx(0.968)
        else:
            assert gen == ('CutMixMaskGenerator' if info['method'] ==
                           'cutmix-mt' else 'CutoutMaskGenerator')
            assert stc.consistency_loss == 'squared_error'
            assert stc.confidence_threshold == pytest.approx(0.97)
        assert stc.unsup_weighting == 'confidence_proportion'
    elif info['semi']:
        assert cfg.model.type == 'SemiSegmentor'
        assert seg.type == 'EncoderDecoder'
        tau = cfg.model.semi_train_cfg.pseudo_threshold
        assert 0.0 <= tau < 1.0, f'pseudo_threshold {tau} not in [0, 1)'
        assert cfg.model.semi_train_cfg.get('unsup_on', 'all') in (
            'all', 'unlabeled')
    else:
        assert cfg.model.type == 'EncoderDecoder'

    # backbone and its ImageNet weights
    assert seg.backbone.depth == info['depth']
    if info['depth'] in (50, 101):
        assert seg.pretrained == f'open-mmlab://resnet{info["depth"]}_v1c'
    # classes: heads, dataset and name agree
    labeled, unlabeled = train_datasets(cfg, info)
    from mmseg.registry import DATASETS
    metainfo = DATASETS.get(labeled.type).METAINFO
    assert len(metainfo['classes']) == info['num_classes']
    assert seg.decode_head.num_classes == info['num_classes']
    assert seg.decode_head.type == HEAD_TYPES[info['model']]
    if info['mix'] and not info['synth']:
        # the papers' DeepLab v3+ / PSPNet rows have no auxiliary loss
        assert not seg.get('auxiliary_head')
    else:
        assert seg.auxiliary_head.num_classes == info['num_classes']
    for ds in filter(None, (unlabeled, cfg.val_dataloader.dataset)):
        assert ds.type == labeled.type

    # batches are padded to the training crop
    pre = (cfg.model.data_preprocessor.data_preprocessor
           if info['semi'] else cfg.model.data_preprocessor)
    assert tuple(pre.size) == train_crop_hw(cfg, info)

    # schedule: the name's iteration count, poly decay to the end
    n = int(info['iters']) * (1000 if info['unit'] == 'k' else 1)
    max_iters = cfg.train_cfg.max_iters
    if info['unit'] == 'k':
        assert round(max_iters / 1000) == int(info['iters']), max_iters
    else:
        assert max_iters == n
    if cfg.optim_wrapper.optimizer.type == 'Adam':
        # French et al.: constant learning rate (their --lr_sched none)
        assert not cfg.param_scheduler
    else:
        polys = [s for s in cfg.param_scheduler if s['type'] == 'PolyLR']
        assert len(polys) == 1 and polys[0]['end'] == max_iters, (
            'PolyLR must end at train_cfg.max_iters')
    assert cfg.train_dataloader.batch_size == int(info['batch'])


@pytest.mark.parametrize('rel', CONFIGS)
def test_sampler(rel):
    info = parse_name(rel)
    cfg = load_cfg(rel)
    dl = cfg.train_dataloader
    sampler = dl.sampler
    if not info['semi']:
        assert sampler.type == 'InfiniteSampler'
        return
    if 'explicit' in info['tags']:
        assert sampler.type == 'ExplicitSemiSampler'
        assert sampler.batch_size == dl.batch_size, (
            'ExplicitSemiSampler.batch_size must equal the dataloader '
            'batch_size')
        assert 0 < sampler.num_labeled < sampler.batch_size
    else:
        assert sampler.type == 'ImplicitSemiSampler'
        assert set(sampler.keys()) <= {'type', 'shuffle', 'seed'}, (
            f'leftover explicit-sampler arguments: {dict(sampler)}')
        assert sampler.get('shuffle', True)


@pytest.mark.parametrize('rel', SEMI_CONFIGS)
def test_semi_hooks(rel):
    cfg = load_cfg(rel)
    hooks = {h['type']: h for h in cfg.get('custom_hooks', [])}
    assert 'RNGStateHook' in hooks, 'resume would not restore the RNG'
    assert 'EMATeacherHook' in hooks, 'EMA teacher hook missing'
    assert 0.0 < hooks['EMATeacherHook'].get('decay', 0.99) < 1.0
    assert 'UnsupWeightHook' in hooks, 'unsupervised weight ramp missing'
    ramp = hooks['UnsupWeightHook']
    assert ramp.get('max_weight', 1.0) > 0
    info = parse_name(rel)
    if info['mix']:
        # the confidence proportion is the ramp (both papers): constant 1
        assert hooks['EMATeacherHook'].get('decay', 0.99) == 0.99
        assert ramp.get('schedule') == 'constant'
        assert ramp.get('max_weight', 1.0) == 1.0
    elif not info['synth']:
        # Dense FixMatch (and the FixMatch* configs built on it): warm-up
        # over the first 60 epochs (table 5 caption); an epoch is
        # 89,250 / 240 (Cityscapes) or 52,910 / 80 (VOC) updates (sec. 4)
        per_epoch = dict(cityscapes=89250 / 240,
                         voc12=52910 / 80)[info['dataset']]
        assert ramp.get('warmup_ratio') is None
        assert ramp.get('warmup_iters') == pytest.approx(60 * per_epoch)


@pytest.mark.parametrize('rel', CONFIGS)
def test_split_files_match_regime(rel):
    from mmssl.datasets.splits import PAPER_REGIMES, POOL_PREFIXES
    info = parse_name(rel)
    cfg = load_cfg(rel)
    labeled, unlabeled = train_datasets(cfg, info)
    prefix = f'splits/{info["regime"]}/'
    assert labeled.ann_file.startswith(prefix) and \
        labeled.ann_file.endswith('/labeled.txt'), labeled.ann_file
    assert 'seg_map_path' in labeled.data_prefix
    if unlabeled is not None:
        assert unlabeled.ann_file.startswith(prefix) and \
            unlabeled.ann_file.endswith('/unlabeled.txt'), unlabeled.ann_file
        # same split index for both lists
        assert osp.dirname(labeled.ann_file) == osp.dirname(
            unlabeled.ann_file)
        assert 'seg_map_path' not in unlabeled.data_prefix
        assert unlabeled.data_root == labeled.data_root
    # the image folders of the regime's pools (mmssl.datasets.splits)
    dataset = SPLITS_DATASET[info['dataset']]
    regimes = {r.name: r for r in PAPER_REGIMES[dataset]}
    if info['synth']:  # demo data: custom regimes
        return
    assert info['regime'] in regimes, (
        f'{info["regime"]!r} is not a paper regime of {dataset}')
    regime = regimes[info['regime']]
    lab_pref = POOL_PREFIXES[(dataset, regime.labeled_pool)]
    assert dict(labeled.data_prefix) == lab_pref
    if unlabeled is not None:
        unl_pref = POOL_PREFIXES[(dataset, regime.unlabeled_pool)]
        assert unlabeled.data_prefix.img_path == unl_pref['img_path']


@pytest.mark.parametrize('rel', SEMI_CONFIGS)
def test_semi_views(rel):
    """The two views are what the method needs."""
    info = parse_name(rel)
    cfg = load_cfg(rel)
    labeled, unlabeled = train_datasets(cfg, info)
    views = views_of(labeled.pipeline)
    assert views_of(unlabeled.pipeline) == views, (
        'labeled and unlabeled samples must get the same views')
    assert views.weak[-1]['type'] == 'PackSegInputs'
    assert views.strong[-1]['type'] == 'PackSegInputs'
    for branch in (views.weak, views.strong):
        assert 'homography_matrix' in branch[-1]['meta_keys']
        assert 'is_labeled' in branch[-1]['meta_keys']
    strong_types = [t['type'] for t in views.strong]
    rand_aug = [t for t in views.strong if t['type'] == 'mmdet.RandAugment']
    ops = {op[0]['type'] for t in rand_aug for op in t['aug_space']}
    weak_types = [t['type'] for t in views.weak]
    if info['mix']:
        # one geometry for teacher and student, nothing inside a branch:
        # the mixing happens in the model; a flip comes before the views
        assert views.crop_relation == 'same' and views.share_scale
        assert weak_types == strong_types == ['PackSegInputs']
        for pipeline in (labeled.pipeline, unlabeled.pipeline):
            types = [t['type'] for t in pipeline]
            assert types[-1] == 'SemiViews'
            assert set(types[:-1]) <= {
                'LoadCheckedImageFromFile', 'LoadCheckedAnnotations',
                'LoadEmptySegMap', 'mmdet.RandomFlip'
            }, types
    elif info['method'] == 'fixmatch-star':
        assert views.crop_relation == 'same' and views.share_scale
        assert 'mmdet.RandomFlip' not in weak_types
        assert len(rand_aug) == 1 and ops and ops <= PHOTOMETRIC, (
            f'FixMatch* strong view must be photometric only, got {ops}')
        assert 'Cutout' in strong_types
    elif info['method'] == 'mean-teacher':
        assert views.strong == views.weak, 'MT: strong view = weak view'
        assert 'mmdet.RandomFlip' in weak_types
        assert not rand_aug and 'Cutout' not in strong_types
        assert views.crop_relation == 'any'
    else:  # Dense FixMatch
        assert 'mmdet.RandomFlip' in weak_types
        assert len(rand_aug) == 1 and ops - PHOTOMETRIC and \
            ops & PHOTOMETRIC, 'Dense FixMatch: colour + geometric ops'
        assert 'Cutout' in strong_types
        relation = ('same' if 'same' in info['tags'] else
                    'any' if 'any' in info['tags'] else 'overlap')
        assert views.crop_relation == relation
        assert views.share_scale == (relation == 'same')


@pytest.mark.parametrize('rel', CONFIGS)
def test_pipeline_transforms_build(rel):
    from mmseg.registry import TRANSFORMS
    info = parse_name(rel)
    cfg = load_cfg(rel)
    labeled, unlabeled = train_datasets(cfg, info)
    pipelines = [labeled.pipeline, cfg.val_dataloader.dataset.pipeline]
    if unlabeled is not None:
        pipelines.append(unlabeled.pipeline)
    for pipeline in pipelines:
        assert pipeline
        for t in pipeline:
            _check_built(t, TRANSFORMS.build(copy.deepcopy(t)))


def _plain(value):
    """``value`` with lists as tuples if it holds only scalars, else None."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        items = [_plain(v) for v in value]
        if all(i is not None or v is None for i, v in zip(items, value)):
            return tuple(items)
    return None


def _check_built(t, built):
    """``built`` is the transform ``t`` describes: the registered class,
    every scalar argument kept under its name, nested transforms (a
    ``resize``, the views' branches) built from their own configs."""
    from mmseg.registry import TRANSFORMS
    assert type(built) is TRANSFORMS.get(t['type']), (t['type'], built)
    for key, value in t.items():
        if key == 'type' or not hasattr(built, key):
            continue
        attr = getattr(built, key)
        if isinstance(value, dict) and 'type' in value:
            _check_built(value, attr)
        elif _plain(value) is not None:
            assert _plain(attr) == _plain(value), (t['type'], key, attr, value)
    branches = getattr(built, 'branch_pipelines', None)
    if branches is not None:  # SemiViews (mmdet MultiBranch)
        assert set(branches) == {'weak', 'strong'}
        for name, compose in branches.items():
            assert len(compose.transforms) == len(t[name]), name
            for sub, sub_built in zip(t[name], compose.transforms):
                _check_built(sub, sub_built)


def _run_views(views_cfg, seed):
    """Apply a config's SemiViews, shrunk to small crops, to a random image;
    returns (weak, strong) packed data samples."""
    from mmseg.registry import TRANSFORMS
    views_cfg = copy.deepcopy(views_cfg)
    views_cfg.crop_size = (32, 48)
    views_cfg.resize = dict(views_cfg.resize, scale=(96, 64))
    views = TRANSFORMS.build(views_cfg)
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 256, (64, 96, 3), dtype=np.uint8)
    seg = rng.integers(0, 5, (64, 96), dtype=np.uint8)
    results = dict(
        img=img, gt_seg_map=seg, seg_fields=['gt_seg_map'], img_shape=(64, 96),
        ori_shape=(64, 96), img_path='x.png', seg_map_path='x.png',
        reduce_zero_label=False, is_labeled=True)
    np.random.seed(seed)
    out = views(results)
    return out['data_samples']['weak'], out['data_samples']['strong']


def test_fixmatch_star_views_need_no_matching():
    """FixMatch*: one geometry for both views (relative homography = I);
    Dense FixMatch: the geometries differ."""
    rel_star = osp.join('fixmatch', 'fixmatch-star_deeplabv3plus_r50-d8_4xb4-'
                        'explicit-89k_cityscapes-1-32.py')
    rel_dense = osp.join('dense_fixmatch', 'dense-fixmatch_deeplabv3plus_'
                         'r50-d8_4xb4-explicit-89k_cityscapes-1-32.py')
    star = views_of(load_cfg(rel_star).train_dataloader.dataset.unlabeled
                    .pipeline)
    dense = views_of(load_cfg(rel_dense).train_dataloader.dataset.unlabeled
                     .pipeline)
    differs = 0
    for seed in range(4):
        w, s = _run_views(star, seed)
        rel = (np.asarray(s.homography_matrix, np.float64)
               @ np.linalg.inv(np.asarray(w.homography_matrix, np.float64)))
        np.testing.assert_allclose(rel, np.eye(3), atol=1e-6)
        w, s = _run_views(dense, seed)
        rel = (np.asarray(s.homography_matrix, np.float64)
               @ np.linalg.inv(np.asarray(w.homography_matrix, np.float64)))
        differs += not np.allclose(rel, np.eye(3), atol=1e-6)
    assert differs >= 3


@pytest.mark.parametrize('rel', model_build_subset())
def test_model_builds(rel):
    from mmseg.models import EncoderDecoder
    from mmseg.registry import MODELS

    from mmssl.models.segmentors.semi_segmentor import SemiSegmentor
    info = parse_name(rel)
    cfg = load_cfg(rel)
    model = MODELS.build(small_model_cfg(cfg, info))
    if info['semi']:
        assert isinstance(model, SemiSegmentor)
        nets = [model.student, model.teacher]
        assert model.student is not model.teacher
        assert not any(p.requires_grad for p in model.teacher.parameters())
        if info['mix']:
            assert type(model).__name__ == 'MixSemiSegmentor'
        else:
            assert model.pseudo_threshold == \
                cfg.model.semi_train_cfg.pseudo_threshold
        assert model.num_classes == info['num_classes']
    else:
        nets = [model]
    for net in nets:
        assert type(net) is EncoderDecoder
        heads = [net.decode_head]
        if getattr(net, 'auxiliary_head', None) is not None:
            heads.append(net.auxiliary_head)
        for head in heads:
            assert head.num_classes == info['num_classes']
            classifiers = getattr(head, 'aspp', None) or [head.conv_seg]
            assert all(c.out_channels == info['num_classes']
                       for c in classifiers)
        assert not any(
            isinstance(m, torch.nn.SyncBatchNorm) for m in net.modules())
    # the shrunk heads fit the shrunk backbone: one tiny forward pass
    net = nets[0].eval()
    with torch.no_grad():
        logits = net.encode_decode(
            torch.zeros(1, 3, 32, 32), [dict(img_shape=(32, 32))])
    assert logits.shape == (1, info['num_classes'], 32, 32)


@pytest.mark.parametrize('rel', [
    osp.join('classmix', 'classmix_deeplabv2_r101-d8_1xb4-explicit-40k_'
             'cityscapes-1-8.py'),
    osp.join('cutmix', 'cutmix-mt_deeplabv2_r101-d8_1xb8-explicit-40k_'
             'cityscapes-1-8.py'),
    osp.join('cutout', 'cutout-mt_deeplabv2_r101-d8_1xb20-explicit-40k_'
             'voc12-aug-1-8.py'),
    osp.join('demo', 'classmix_deeplabv3plus_r18-d8_1xb8-explicit-cpu-'
             'sup300i-100i_synthcityscapes-8.py'),
])
def test_mixing_views_share_one_geometry(rel):
    """Mixing configs: through the real loading pipeline (flip included),
    the teacher's and the student's views are the same pixels with the same
    homography; the papers' resolutions and scales are applied."""
    from mmcv.transforms import Compose
    cfg = load_cfg(rel)
    pipeline = [
        t for t in cfg.train_dataloader.dataset.unlabeled.pipeline
        if not t['type'].startswith('Load')
    ]
    views = pipeline[-1]
    compose = Compose(copy.deepcopy(pipeline))
    scales, flips = set(), set()
    for seed in range(8):
        rng = np.random.default_rng(seed)
        h, w = (128, 256) if 'cityscapes' in rel else (100, 150)
        img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        results = dict(
            img=img, gt_seg_map=np.full((h, w), 254, np.uint8),
            seg_fields=['gt_seg_map'], img_shape=(h, w), ori_shape=(h, w),
            img_path='x.png', reduce_zero_label=False, is_labeled=False)
        np.random.seed(seed)
        out = compose(results)
        weak, strong = out['data_samples']['weak'], out['data_samples'][
            'strong']
        assert torch.equal(out['inputs']['weak'], out['inputs']['strong'])
        hw = np.asarray(weak.homography_matrix, np.float64)
        np.testing.assert_allclose(
            np.asarray(strong.homography_matrix, np.float64), hw)
        assert tuple(out['inputs']['weak'].shape[1:]) == tuple(
            np.minimum(views.crop_size, weak.img_shape))
        scales.add(round(abs(hw[1, 1]), 3))
        flips.add(bool(hw[0, 0] < 0))
    if 'voc12' in rel:  # 0.5..1.5 in steps of 0.1
        assert scales <= {round(0.5 + 0.1 * k, 3) for k in range(11)}
        assert len(scales) > 2
    elif 'synth' not in rel:  # Cityscapes: to 1024x512
        assert scales == {4.0}  # 256 -> 1024 wide here
    has_flip = any(t['type'] == 'mmdet.RandomFlip' for t in pipeline)
    assert flips == ({False, True} if has_flip else {False})

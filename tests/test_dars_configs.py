"""Every DARS config (``configs/dars/``) loads, builds and is what its name
says: ``[dars_]model_backbone-d8_<g>xb<b>-[explicit-][cpu-]<N>[k|i]_
<dataset>-<regime>[-<crop>x<crop>].py``; ``dars_`` marks a round k >= 1
config (labeled + pseudo-labeled in explicit batches), no prefix its round 0
(labeled only). The crop suffix is the paper's ablation axis (361 / 713)."""
import copy
import glob
import os.path as osp
import re

import pytest
from mmengine import Config
from mmengine.registry import init_default_scope

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DARS_ROOT = osp.join(REPO, 'configs', 'dars')
CONFIGS = sorted(
    osp.basename(p) for p in glob.glob(osp.join(DARS_ROOT, '*.py')))
NAME_RE = re.compile(
    r'^(?P<dars>dars_)?(?P<model>deeplabv3plus|deeplabv2|pspnet)'
    r'_(?P<backbone>r\d+)-d8_(?P<gpus>\d+)xb(?P<batch>\d+)-'
    r'(?P<tags>(?:(?:explicit|cpu)-)*)(?P<iters>\d+)(?P<unit>[ki])_'
    r'(?P<synth>synth)?(?P<dataset>cityscapes|voc12)-(?P<regime>[a-z0-9-]+?)'
    r'(?:-(?P<crop>\d+)x(?P=crop))?\.py$')
HEAD_TYPES = dict(deeplabv3plus='DepthwiseSeparableASPPHead',
                  deeplabv2='DeepLabV2Head', pspnet='PSPHead')
NUM_CLASSES = dict(cityscapes=19, voc12=21)


@pytest.fixture(scope='module', autouse=True)
def _scope():
    import mmssl  # noqa: F401
    init_default_scope('mmseg')


def test_dars_configs_found():
    assert len(CONFIGS) >= 10
    rounds = [c for c in CONFIGS if c.startswith('dars_')]
    assert rounds and len(rounds) < len(CONFIGS)


@pytest.mark.parametrize('name', CONFIGS)
def test_dars_config_matches_its_name(name):
    m = NAME_RE.match(name)
    assert m, f'{name}: name does not follow the DARS config convention'
    info = m.groupdict()
    with open(osp.join(DARS_ROOT, name)) as f:
        assert f.readline().startswith('#'), f'{name}: no header comment'
    cfg = Config.fromfile(osp.join(DARS_ROOT, name))
    assert 'mmssl' in cfg.custom_imports['imports']
    assert cfg.default_scope == 'mmseg'
    model = cfg.model
    # a plain EncoderDecoder whose loss is eq. 2 (each part averaged over
    # its own valid pixels)
    assert model.type == 'SelfTrainingEncoderDecoder'
    heads = [model.decode_head] + ([model.auxiliary_head]
                                   if model.get('auxiliary_head') else [])
    assert all(h.loss_decode.avg_non_ignore for h in heads)
    assert model.decode_head.type == HEAD_TYPES[info['model']]
    assert model.decode_head.num_classes == NUM_CLASSES[info['dataset']]
    assert model.backbone.depth == int(info['backbone'][1:])
    # schedule and batch as named
    max_iters = cfg.train_cfg.max_iters
    if info['unit'] == 'k':
        assert round(max_iters / 1000) == int(info['iters']), max_iters
    else:
        assert max_iters == int(info['iters'])
    polys = [s for s in cfg.param_scheduler if s['type'] == 'PolyLR']
    assert len(polys) == 1 and polys[0]['end'] == max_iters
    dl = cfg.train_dataloader
    assert dl.batch_size == int(info['batch'])
    tags = info['tags'].rstrip('-').split('-') if info['tags'] else []
    if info['dars']:  # round k: labeled + pseudo-labeled, explicit batches
        assert 'explicit' in tags
        assert dl.sampler.type == 'ExplicitSemiSampler'
        assert dl.sampler.batch_size == dl.batch_size
        assert 0 < dl.sampler.num_labeled < dl.batch_size
        assert dl.dataset.type == 'SemiDataset'
        r0 = cfg.dars.round0_config
        assert osp.isfile(osp.join(DARS_ROOT, r0)), r0
        assert NAME_RE.match(osp.basename(r0))['dars'] is None
        # the labeling settings the tool reads
        assert cfg.pseudo_label_cfg.policy.type in ('ST', 'CBST', 'DA',
                                                    'DARS')
        crops = [t for t in dl.dataset.labeled.pipeline
                 if t['type'] == 'RandomCrop']
        # only the pseudo-labeled part is marked, after packing
        marks = [t['type'] for t in dl.dataset.unlabeled.pipeline][-2:]
        assert marks == ['PackSegInputs', 'MarkPseudoLabeled']
        assert not any(t['type'] == 'MarkPseudoLabeled'
                       for t in dl.dataset.labeled.pipeline)
    else:  # round 0: the labeled split only
        assert dl.sampler.type == 'InfiniteSampler'
        crops = [t for t in dl.dataset.pipeline if t['type'] == 'RandomCrop']
        assert not any(t['type'] == 'MarkPseudoLabeled'
                       for t in dl.dataset.pipeline)
    assert len(crops) == 1
    crop = tuple(crops[0].crop_size)
    assert tuple(model.data_preprocessor.size) == crop
    if info['crop']:
        assert crop == (int(info['crop']), ) * 2


@pytest.mark.parametrize('name', [
    c for c in CONFIGS
    if c.startswith('dars_') and ('synth' in c or 'deeplabv2' in c)
])
def test_dars_model_builds(name):
    """The demo model, and the DeepLab-v2 one shrunk to ResNet-18."""
    from mmseg.registry import MODELS
    cfg = Config.fromfile(osp.join(DARS_ROOT, name))
    model = copy.deepcopy(cfg.model)
    model.pretrained = None
    model.backbone.update(depth=18, init_cfg=None)
    if model.decode_head.type == 'DeepLabV2Head':
        model.decode_head.in_channels = 512
    model.pop('auxiliary_head', None)
    seg = MODELS.build(model)
    assert seg.decode_head.num_classes == cfg.model.decode_head.num_classes

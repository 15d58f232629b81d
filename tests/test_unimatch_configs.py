"""The UniMatch configs load, build (shrunk) and carry the official
settings (LiheYoung/UniMatch configs/pascal.yaml, configs/cityscapes.yaml,
unimatch.py, dataset/semi.py) quoted in their comments."""
import copy
import glob
import math
import os.path as osp

import pytest
from mmengine import Config
from mmengine.registry import init_default_scope

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(
    osp.relpath(p, REPO)
    for p in glob.glob(osp.join(REPO, 'configs', 'unimatch', '*.py')))
DEMO = ('configs/demo/unimatch_deeplabv3plus_r18-d8_1xb8-explicit-cpu-'
        'sup300i-100i_synthcityscapes-8.py')
VOC = {n: f'voc12-{n}-321x321' for n in (92, 183, 366, 732, 1464)}
CITYSCAPES = {k: f'cityscapes-1-{k}-801x801' for k in (16, 8, 4, 2)}
BLENDED = {16: 662, 8: 1323, 4: 2646}  # labeled images of the aug set


def expected(rel):
    """(split dir, labeled, unlabeled, GPUs, per-GPU batch, crop, epochs)
    from the official configs / training logs for a config name."""
    name = osp.basename(rel)
    if 'voc12-aug-' in name:
        k = int(name.split('voc12-aug-1-')[1].split('-')[0])
        big = name.endswith('513x513.py')
        return (f'aug-1-{k}', BLENDED[k], 10582 - BLENDED[k],
                2 if big else 4, 8 if big else 4, 513 if big else 321, 80)
    if 'voc12-' in name:
        n = int(name.split('voc12-')[1].split('-')[0])
        return str(n), n, 10582 - n, 4, 4, 321, 80
    k = int(name.split('cityscapes-1-')[1].split('-')[0])
    n = {16: 186, 8: 372, 4: 744, 2: 1488}[k]
    return f'1-{k}', n, 2975 - n, 4, 4, 801, 240


@pytest.fixture(scope='module', autouse=True)
def _scope():
    import mmssl  # noqa: F401
    init_default_scope('mmseg')


def load(rel):
    return Config.fromfile(osp.join(REPO, rel))


def test_the_paper_grid_is_there():
    names = {osp.basename(c) for c in CONFIGS}
    for n, tag in VOC.items():
        assert (f'unimatch_deeplabv3plus_r101-d16_4xb4-explicit-80e_{tag}.py'
                in names)
    for k, tag in CITYSCAPES.items():
        assert (f'unimatch_deeplabv3plus_r101-d16_4xb4-explicit-240e_{tag}.py'
                in names)
    for k in BLENDED:
        assert (f'unimatch_deeplabv3plus_r101-d16_4xb4-explicit-80e_'
                f'voc12-aug-1-{k}-321x321.py') in names
        assert (f'unimatch_deeplabv3plus_r101-d16_2xb8-explicit-80e_'
                f'voc12-aug-1-{k}-513x513.py') in names
    assert len(CONFIGS) == len(VOC) + len(CITYSCAPES) + 2 * len(BLENDED)


@pytest.mark.parametrize('rel', CONFIGS)
def test_official_settings(rel):
    cfg = load(rel)
    voc = 'voc12' in rel
    semi = cfg.model.semi_train_cfg
    assert cfg.model.type == 'UniMatch'
    assert semi.teacher == 'student' and semi.unsup_on == 'unlabeled'
    assert semi.pseudo_threshold == (0.95 if voc else 0.0)  # conf_thresh
    assert semi.stream_weights == dict(sup=1.0, s1=0.25, s2=0.25, fp=0.5)
    assert semi.loss_scale == 0.5
    assert semi.feature_perturbation == dict(type='FeatureDropout', p=0.5)
    assert semi.mask_generator.prob == 0.5
    assert semi.mask_generator.area_range == (0.02, 0.4)
    split, n_lab, n_unl, gpus, batch, crop, epochs = expected(rel)
    assert f'_{gpus}xb{batch}-' in rel
    # per GPU: half labeled, half unlabeled
    loader = cfg.train_dataloader
    assert loader.batch_size == batch
    assert loader.sampler.num_labeled == batch // 2
    crop = (crop, crop)
    for part in ('labeled', 'unlabeled'):
        views = loader.dataset[part].pipeline[-1]
        assert views.type == 'SemiViews' and 'strong2' in views
        assert tuple(views.crop_size) == crop
        assert views.crop_relation == 'same' and views.share_scale
        assert views.resize.ratio_range == (0.5, 2.0)
    strong = loader.dataset.unlabeled.pipeline[-1].strong
    assert [t['type'] for t in strong] == [
        'ColorJitter', 'RandomGrayscale', 'PILGaussianBlur', 'PackSegInputs']
    assert tuple(cfg.model.data_preprocessor.data_preprocessor.size) == crop
    # epochs over the unlabeled loader: ceil(N_u / GPUs) // (batch / 2)
    iters = epochs * (math.ceil(n_unl / gpus) // (batch // 2))
    assert cfg.train_cfg.max_iters == iters
    assert cfg.param_scheduler[0].end == iters
    assert cfg.param_scheduler[0].power == 0.9
    assert loader.dataset.labeled.ann_file.startswith(f'splits/{split}/')
    assert loader.dataset.unlabeled.ann_file.startswith(f'splits/{split}/')
    if split.startswith('aug-'):
        assert (loader.dataset.labeled.data_prefix.seg_map_path ==
                'SegmentationClassAug')
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.momentum, opt.weight_decay) == ('SGD', 0.9, 1e-4)
    assert opt.lr == (0.001 if voc else 0.005)
    lr_mult = cfg.optim_wrapper.get('paramwise_cfg', {}).get(
        'custom_keys', {}).get('student.decode_head', {}).get('lr_mult', 1.0)
    assert lr_mult == (10.0 if voc else 1.0)  # lr_multi
    seg = cfg.model.segmentor
    assert seg.backbone.depth == 101
    assert tuple(seg.backbone.strides) == (1, 2, 2, 1)  # output stride 16
    assert tuple(seg.decode_head.dilations) == (1, 6, 12, 18)
    assert seg.decode_head.loss_decode.avg_non_ignore
    assert seg.get('auxiliary_head') is None
    if voc:
        assert seg.test_cfg.mode == 'whole'
    else:
        assert seg.decode_head.sampler == dict(
            type='OHEMPixelSampler', thresh=0.7, min_kept=100000)
        assert seg.test_cfg.mode == 'slide'
        assert tuple(seg.test_cfg.stride) == (534, 534)
    hooks = [h['type'] for h in cfg.custom_hooks]
    assert 'EMATeacherHook' not in hooks and 'UnsupWeightHook' not in hooks
    assert 'RNGStateHook' in hooks  # exact --resume


def test_demo_hooks():
    hooks = [h['type'] for h in load(DEMO).custom_hooks]
    assert 'RNGStateHook' in hooks and 'EMATeacherHook' not in hooks


@pytest.mark.parametrize('rel', [CONFIGS[0], DEMO])
def test_model_and_views_build(rel):
    from mmseg.registry import MODELS, TRANSFORMS
    from mmssl.utils import replace_sync_bn
    cfg = load(rel)
    model = copy.deepcopy(cfg.model)
    replace_sync_bn(model)
    seg = model.segmentor
    seg.pretrained = None
    seg.init_cfg = None
    seg.backbone.depth = 18
    seg.decode_head.update(
        in_channels=512, c1_in_channels=64, channels=32, c1_channels=16)
    if seg.get('auxiliary_head'):
        seg.auxiliary_head.update(in_channels=256, channels=16)
    built = MODELS.build(model)
    assert type(built).__name__ == 'UniMatch' and built.teacher_is_student
    for part in ('labeled', 'unlabeled'):
        views = TRANSFORMS.build(
            cfg.train_dataloader.dataset[part].pipeline[-1])
        assert views.branch_field == ['weak', 'strong', 'strong2']

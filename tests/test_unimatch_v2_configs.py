"""The UniMatch V2 configs cover the official README's tables (Pascal,
Cityscapes, ADE20K, COCO; DINOv2-S and -B), carry the official settings
(LiheYoung/UniMatch-V2 configs/*.yaml, unimatch_v2.py) and build (the model
shrunk)."""
import copy
import functools
import glob
import os.path as osp
import re

import pytest
import torch
from mmengine import Config
from mmengine.registry import init_default_scope

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(
    osp.relpath(p, REPO)
    for p in glob.glob(osp.join(REPO, 'configs', 'unimatch_v2', '*.py')))
DEMO = ('configs/demo/unimatch-v2_deeplabv3plus_r18-d8_1xb8-explicit-cpu-'
        'sup300i-100i_synthcityscapes-8.py')
# dataset: (classes, crop, per-GPU labeled = unlabeled, epochs, pool,
# {split: labeled}) from the official yamls and split lists
OFFICIAL = dict(
    voc12=(21, 518, 4, 60, 10582,
           {'92': 92, '183': 183, '366': 366, '732': 732, '1464': 1464}),
    cityscapes=(19, 798, 2, 180, 2975,
                {'1-16': 186, '1-8': 372, '1-4': 744, '1-2': 1488}),
    ade20k=(150, 518, 2, 60, 20210,
            {'1-64': 316, '1-32': 631, '1-16': 1263, '1-8': 2526}),
    coco=(81, 518, 4, 20, 118287,
          {'1-512': 232, '1-256': 463, '1-128': 925, '1-64': 1849,
           '1-32': 3697}))
NAME = re.compile(r'^unimatch-v2_dpt_dinov2-(?P<enc>[sb])_4xb(?P<b>\d+)-'
                  r'explicit-(?P<ep>\d+)e_(?P<ds>[a-z0-9]+)-(?P<split>[0-9-]+)'
                  r'-(?P<crop>\d+)x(?P=crop)\.py$')
DIMS = dict(s=384, b=768)


@pytest.fixture(scope='module', autouse=True)
def _scope():
    import mmssl  # noqa: F401
    init_default_scope('mmseg')


@functools.lru_cache(maxsize=None)
def load(rel):
    return Config.fromfile(osp.join(REPO, rel))


def test_the_readme_tables_are_there():
    names = {osp.basename(c) for c in CONFIGS}
    for ds, (_, crop, bs, ep, _, splits) in OFFICIAL.items():
        for enc in 'sb':
            for split in splits:
                assert (f'unimatch-v2_dpt_dinov2-{enc}_4xb{2 * bs}-explicit-'
                        f'{ep}e_{ds}-{split}-{crop}x{crop}.py') in names
    assert len(CONFIGS) == 2 * sum(len(o[5]) for o in OFFICIAL.values())


@pytest.mark.parametrize('rel', CONFIGS)
def test_official_settings(rel):
    m = NAME.match(osp.basename(rel))
    assert m, rel
    classes, crop, bs, epochs, pool, splits = OFFICIAL[m['ds']]
    cfg = load(rel)
    model = cfg.model
    assert model.type == 'UniMatchV2'
    stc = model.semi_train_cfg
    assert (stc.teacher, stc.unsup_on, stc.pseudo_threshold) == (
        'ema', 'unlabeled', 0.95)
    assert stc.feature_perturbation == dict(
        type='ComplementaryDropout', p=0.5, pair_prob=0.5)
    assert stc.partners == 'reversed'
    assert dict(stc.stream_weights) == dict(sup=1.0, s1=0.5, s2=0.5)
    assert stc.loss_scale == 0.5
    assert stc.mask_generator.prob == 0.5
    assert tuple(stc.mask_generator.area_range) == (0.02, 0.4)
    seg = model.segmentor
    assert seg.backbone.embed_dims == DIMS[m['enc']]
    assert seg.decode_head.num_classes == classes
    assert seg.decode_head.align_corners
    # the encoder frozen on ADE20K only ("lock_backbone: True")
    assert (seg.backbone.frozen_exclude == []) == (m['ds'] == 'ade20k')
    if m['ds'] == 'cityscapes':
        assert seg.test_cfg == dict(mode='slide', crop_size=(798, 798),
                                    stride=(532, 532))
        assert seg.decode_head.sampler == dict(
            type='OHEMPixelSampler', thresh=0.7, min_kept=200000)
    else:
        assert seg.test_cfg.mode == 'whole'
        assert 'sampler' not in seg.decode_head
    # data: per-GPU 2 x bs, crop, the split
    loader = cfg.train_dataloader
    assert loader.batch_size == int(m['b']) == 2 * bs
    assert (loader.sampler.batch_size, loader.sampler.num_labeled) == (
        2 * bs, bs)
    assert tuple(cfg.crop_size) == (crop, crop) and int(m['crop']) == crop
    split = m['split']
    assert loader.dataset.labeled.ann_file == (
        f'splits/{split}/split0/labeled.txt')
    assert loader.dataset.unlabeled.ann_file == (
        f'splits/{split}/split0/unlabeled.txt')
    # schedule: len(trainloader_u) * epochs, len = ceil(N_u / 4) // bs
    n_u = pool - splits[split]
    iters = (-(-n_u // 4) // bs) * epochs
    assert int(m['ep']) == epochs
    assert cfg.train_cfg.max_iters == iters
    assert cfg.param_scheduler[0].type == 'PolyLR'
    assert cfg.param_scheduler[0].end == iters
    assert cfg.param_scheduler[0].power == 0.9
    opt = cfg.optim_wrapper
    assert opt.optimizer == dict(type='AdamW', lr=5e-6, betas=(0.9, 0.999),
                                 weight_decay=0.01)
    assert opt.paramwise_cfg.custom_keys == {
        'student.decode_head': dict(lr_mult=40.0)}
    hooks = {h.type: h for h in cfg.custom_hooks}
    assert hooks['EMATeacherHook'].decay == 0.996
    assert hooks['EMATeacherHook'].mean_start
    assert 'RNGStateHook' in hooks and 'UnsupWeightHook' not in hooks
    assert cfg.val_cfg.type == 'mmdet.TeacherStudentValLoop'
    assert model.semi_test_cfg.predict_on == 'student'


@pytest.mark.parametrize('rel', [CONFIGS[0]])
def test_model_builds_and_trains_one_step_shrunk(rel):
    """The config's model (the DINOv2 encoder shrunk; the demo's model is
    trained in tests/test_unimatch_v2.py) takes one training step on the ``weak`` / ``strong`` / ``strong2``
    batch layout and updates the student only."""
    from mmseg.registry import MODELS
    from semi_helpers import NUM_CLASSES
    from test_unimatch import three_view_batch
    cfg = copy.deepcopy(load(rel).model)
    seg = cfg.segmentor
    seg.init_cfg = None
    seg.backbone.init_cfg = None
    if seg.backbone.type == 'DINOv2VisionTransformer':
        seg.backbone.update(img_size=28, embed_dims=24, num_layers=4,
                            num_heads=2, out_indices=(0, 1, 2, 3))
        seg.decode_head.update(in_channels=(24, ) * 4, embed_dims=24,
                               channels=8, post_process_channels=[4, 8, 16,
                                                                  24])
        size = 28
    else:
        size = 32
    seg.decode_head.num_classes = NUM_CLASSES
    if seg.get('auxiliary_head'):
        seg.auxiliary_head.num_classes = NUM_CLASSES
    seg.decode_head.pop('sampler', None)
    cfg.data_preprocessor = None
    model = MODELS.build(cfg)
    model.train()
    torch.manual_seed(0)
    inputs, samples, _ = three_view_batch([True, False, False], size, size,
                                          pad_cols=0)
    losses = model.loss(inputs, samples)
    assert {'sup.decode.loss_ce', 'unsup_s1.decode.loss_ce',
            'unsup_s2.decode.loss_ce'} <= set(losses)
    loss, _ = model.parse_losses(losses)
    loss.backward()
    assert all(p.grad is None for p in model.teacher.parameters())
    assert any(p.grad is not None and p.grad.abs().sum() > 0
               for p in model.student.backbone.parameters())

"""The resolved DARS configs carry the authors' settings (issue 16, point 2).

The values below are copied from the authors' repository
(github.com/CVMI-Lab/DARS, config/cityscapes/*.yaml, config/voc2012/*.yaml,
tool/train.py, tool/gen_pseudo_label_utils.py), NOT from the configs: for
each setting the train_*_round{0,1,2}.yaml (train_h, scale_min / scale_max,
batch_size, unlabelled_batch_size, base_lr, epochs, aux_weight, base_size,
test_h, train_gpu) and gen_pseudo_label_*_for_round{1,2}.yaml
(labeling_ratio). The paper (sec. 4.1) gives the shared optimizer (SGD 0.01,
momentum 0.9, weight decay 1e-4, poly), the 8 + 8 batch, 200 / 50 epochs per
round and crops 361 / 713 / 321; table 6 the 1/8 crop-361 alphas and betas.
"""
import importlib.util
import math
import os.path as osp
import re

import pytest
from mmengine.config import Config

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DARS = osp.join(ROOT, 'configs', 'dars')

CS = (2048, 1024)
# (round-k config, authors' values)
AUTHORS = {
    'dars_pspnet_r50-d8_4xb4-explicit-65k_cityscapes-1-8-361x361.py': dict(
        crop=361, scales=[(0.25, 1.0), (0.25, 1.0), (0.2, 1.5)],
        base_size=1024, alphas=[0.2, 0.5], lr=0.01, batch=(8, 8),
        round0_batch=16, epochs=200, unlabeled=2603, round0_list=372,
        aux=0.4, ten_x=('decode_head', 'auxiliary_head'), img=CS),
    'dars_pspnet_r50-d8_4xb4-explicit-56k_cityscapes-1-4-361x361.py': dict(
        crop=361, scales=[(0.25, 1.0), (0.25, 1.0), (0.2, 1.5)],
        base_size=1024, alphas=[0.4, 0.6], lr=0.01, batch=(8, 8),
        round0_batch=16, epochs=200, unlabeled=2231, round0_list=744,
        aux=0.4, ten_x=('decode_head', 'auxiliary_head'), img=CS),
    'dars_pspnet_r50-d8_4xb4-explicit-65k_cityscapes-1-8-713x713.py': dict(
        crop=713, scales=[(0.5, 2.0), (0.5, 2.0), (0.5, 3.0)],
        base_size=2048, alphas=[0.4, 0.65], lr=0.01, batch=(8, 8),
        round0_batch=16, epochs=200, unlabeled=2603, round0_list=372,
        aux=0.4, ten_x=('decode_head', 'auxiliary_head'), img=CS),
    'dars_pspnet_r50-d8_4xb4-explicit-56k_cityscapes-1-4-713x713.py': dict(
        crop=713, scales=[(0.5, 2.0), (0.5, 2.0), (0.4, 2.5)],
        base_size=2048, alphas=[0.4, 0.65], lr=0.01, batch=(8, 8),
        round0_batch=16, epochs=200, unlabeled=2231, round0_list=744,
        aux=0.4, ten_x=('decode_head', 'auxiliary_head'), img=CS),
    'dars_pspnet_r50-d8_4xb4-explicit-57k_voc12-1464-321x321.py': dict(
        crop=321, scales=[(0.5, 1.5), (0.5, 1.5), (0.5, 2.0)],
        base_size=400, alphas=[0.4, 0.5], lr=0.01, batch=(8, 8),
        round0_batch=16, epochs=50, unlabeled=9118, round0_list=1464,
        aux=0.4, ten_x=('decode_head', 'auxiliary_head'), img=(500, 500)),
    # DeepLab-v2: round 0 lists cs_split8_labeled_match_len.txt (2603
    # lines); tool/train.py index_split = 5 puts layer4 at 10x too
    'dars_deeplabv2_r101-d8_2xb4-explicit-130k_cityscapes-1-8-361x361.py':
    dict(crop=361, scales=[(0.25, 1.0), (0.25, 1.0), (0.25, 1.0)],
         base_size=1024, alphas=[0.2, 0.45], lr=0.002, batch=(4, 4),
         round0_batch=16, epochs=200, unlabeled=2603, round0_list=2603,
         aux=None, ten_x=('backbone.layer4', 'decode_head'), img=CS),
}


def _tool(name):
    spec = importlib.util.spec_from_file_location(
        name, osp.join(ROOT, 'tools', f'{name}.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _gpus(name):
    return int(re.search(r'_(\d+)xb\d+-', name).group(1))


def _find(pipeline, type_):
    found = [t for t in pipeline if t['type'] == type_]
    assert len(found) == 1, (type_, pipeline)
    return found[0]


def _common(cfg, a):
    """What round 0 and round k share: crop, augmentation, test, model,
    optimizer."""
    c = (a['crop'], a['crop'])
    assert tuple(cfg.model.data_preprocessor.size) == c
    test = cfg.model.test_cfg
    assert test.mode == 'slide' and tuple(test.crop_size) == c
    # scale_process: stride = ceil(crop * 2/3)
    assert tuple(test.stride) == (math.ceil(a['crop'] * 2 / 3), ) * 2
    assert test.flip is True  # net_process(flip=True)
    resize = _find(cfg.test_pipeline, 'Resize')
    assert resize.keep_ratio and max(resize.scale) == a['base_size']
    if a['img'] == CS:  # long side to base_size, aspect kept
        assert tuple(resize.scale) == (a['base_size'], a['base_size'] // 2)
    assert cfg.val_dataloader.dataset.pipeline == cfg.test_pipeline
    # losses: mean over valid pixels; aux weight as aux_weight
    heads = [cfg.model.decode_head]
    if a['aux'] is None:
        assert not cfg.model.get('auxiliary_head')
    else:
        heads.append(cfg.model.auxiliary_head)
        assert cfg.model.auxiliary_head.loss_decode.loss_weight == a['aux']
    assert all(h.loss_decode.avg_non_ignore for h in heads)
    # SGD, momentum 0.9, wd 1e-4, poly 0.9; new modules at 10x
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.momentum, opt.weight_decay) == (
        'SGD', a['lr'], 0.9, 1e-4)
    keys = cfg.optim_wrapper.paramwise_cfg.custom_keys
    assert {k: v.lr_mult for k, v in keys.items()} == {
        k: 10.0 for k in a['ten_x']}
    poly, = cfg.param_scheduler
    assert poly.type == 'PolyLR' and poly.power == 0.9
    assert poly.end == cfg.train_cfg.max_iters


def _train_aug(pipeline, a, scale):
    crop = _find(pipeline, 'RandomCrop')
    assert tuple(crop.crop_size) == (a['crop'], a['crop'])
    rr = _find(pipeline, 'RandomResize')
    assert tuple(rr.scale) == a['img'] and tuple(rr.ratio_range) == scale
    rot = _find(pipeline, 'RandomRotate')  # RandRotate([-10, 10])
    assert rot.degree == 10 and rot.prob == 1.0 and rot.seg_pad_val == 255
    blur = _find(pipeline, 'RandomGaussianBlur')  # radius 5, p 0.5
    assert blur.kernel_size == 5 and blur.prob == 0.5
    assert _find(pipeline, 'RandomFlip').prob == 0.5


@pytest.mark.parametrize('name', sorted(AUTHORS))
def test_config_carries_the_authors_values(name):
    a = AUTHORS[name]
    cfg = Config.fromfile(osp.join(DARS, name))
    _common(cfg, a)
    gpus = _gpus(name)
    dl = cfg.train_dataloader
    labeled = gpus * dl.sampler.num_labeled
    unlabeled = gpus * (dl.sampler.batch_size - dl.sampler.num_labeled)
    assert (labeled, unlabeled) == a['batch']
    # epochs of the unlabeled set per round
    assert cfg.train_cfg.max_iters == round(a['epochs'] * a['unlabeled'] /
                                            unlabeled + 1e-9)
    # round 1 and 2 scale ranges and labeling ratios
    rounds = _tool('dars_rounds')
    assert tuple(cfg.dars.scale_range) == a['scales'][0]
    for k, spec in enumerate(cfg.dars.rounds, 1):
        rng = rounds.scale_range(cfg.dars.scale_range, spec['beta_min'],
                                 spec['beta_max'])
        assert rng == pytest.approx(a['scales'][k])
        assert spec['alpha'] == a['alphas'][k - 1]
    _train_aug(dl.dataset.labeled.pipeline, a, a['scales'][0])
    _train_aug(dl.dataset.unlabeled.pipeline, a, a['scales'][0])
    assert cfg.pseudo_label_cfg.flip is True
    assert cfg.pseudo_label_cfg.policy.get('temperature', 1.0) == 1.0
    assert cfg.dars.continue_poly and cfg.dars.resume_optimizer

    # its round 0: the labeled list for `epochs` at 16 per batch
    r0 = Config.fromfile(osp.join(DARS, cfg.dars.round0_config))
    _common(r0, a)
    assert _gpus(cfg.dars.round0_config) == gpus  # one --gpus for all
    assert gpus * r0.train_dataloader.batch_size == a['round0_batch']
    assert r0.train_cfg.max_iters == round(
        a['epochs'] * a['round0_list'] / a['round0_batch'] + 1e-9)
    _train_aug(r0.train_dataloader.dataset.pipeline, a, a['scales'][0])

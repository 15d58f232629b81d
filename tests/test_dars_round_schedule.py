"""DARS rounds resume the previous round (issue 16, point 3): as the
authors' code, round k starts from round k-1's weights AND optimizer state,
the heads train at 10x lr, and the learning rate continues one poly schedule
(authors' tool/train_func.py: ``poly_learning_rate(base_lr, current_iter,
max_iter)`` with round k resuming at epoch 200 k of 200 (k+1)). The lr of
every param group along a round is compared with that formula, written out
here; the optimizer state is checked after LoadOptimizerStateHook."""
import importlib.util
import os
import os.path as osp
from types import SimpleNamespace

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

import mmssl  # noqa: F401
from mmseg.registry import HOOKS, PARAM_SCHEDULERS

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
PSP_361 = osp.join(ROOT, 'configs', 'dars',
                   'dars_pspnet_r50-d8_4xb4-explicit-65k_cityscapes-1-8-'
                   '361x361.py')
DEMO = osp.join(ROOT, 'configs', 'dars',
                'dars_deeplabv3plus_r18-d8_1xb8-explicit-cpu-100i_'
                'synthcityscapes-8.py')


def _tool(name):
    spec = importlib.util.spec_from_file_location(
        name, osp.join(ROOT, 'tools', f'{name}.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Tiny(nn.Module):
    """Parameters named as an mmseg segmentor's."""

    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
        self.decode_head = nn.Conv2d(4, 3, 1)
        self.auxiliary_head = nn.Conv2d(4, 3, 1)

    def forward(self, x):
        f = self.backbone(x)
        return self.decode_head(f).sum() + self.auxiliary_head(f).sum()


def authors_lr(k, t, n, base_lr=0.01, epochs=200, power=0.9):
    """tool/train_func.py: lr = base_lr (1 - current_iter / max_iter)^power,
    max_iter = epochs_total * iters_per_epoch; round k resumes at epoch
    epochs * k of epochs * (k+1) (train_..._round{1,2}.yaml)."""
    epoch = epochs * k + epochs * t / n
    return base_lr * (1 - epoch / (epochs * (k + 1)))**power


@pytest.fixture(scope='module', autouse=True)
def _scope():
    init_default_scope('mmseg')


def _round_cfg(rounds, cfg, k, tmp_path):
    prev = str(tmp_path / f'round{k - 1}' / 'iter_1.pth')
    return Config.fromfile(
        rounds.round_config(cfg, k, dict(cfg.dars.rounds[k - 1]), prev,
                            str(tmp_path / f'round{k}' / 'labels'),
                            str(tmp_path / f'round{k}'))), prev


def test_round_lr_follows_the_authors_continued_poly(tmp_path):
    rounds = _tool('dars_rounds')
    cfg = Config.fromfile(PSP_361)
    n = 1600  # iterations per round here (65,075 in the config)
    # (round 0 is a plain poly schedule from base_lr: the config's
    # optimizer and PolyLR, tests/test_dars_recipe.py)
    for k in (1, 2):
        rcfg, prev = _round_cfg(rounds, cfg, k, tmp_path)
        assert rcfg.load_from == prev
        assert dict(type='LoadOptimizerStateHook',
                    checkpoint=prev) in rcfg.custom_hooks
        assert not [f for f in os.listdir(tmp_path / f'round{k}')
                    if 'tmp' in f]  # written atomically
        model = Tiny()
        wrapper = build_optim_wrapper(model, rcfg.optim_wrapper)
        poly, = rcfg.param_scheduler
        sched = PARAM_SCHEDULERS.build(
            dict(poly, end=n), default_args=dict(optimizer=wrapper))
        heads = {id(p) for name, p in model.named_parameters()
                 if name.startswith(('decode_head', 'auxiliary_head'))}
        for t in range(3 * n // 4 + 1):
            if t in (0, 1, n // 4, n // 2, 3 * n // 4):
                for group in wrapper.optimizer.param_groups:
                    mult = 10.0 if id(group['params'][0]) in heads else 1.0
                    assert group['lr'] == pytest.approx(
                        mult * authors_lr(k, t, n), rel=2e-3), (k, t)
            sched.step()


def test_round_config_needs_marked_pseudo_part(tmp_path):
    rounds = _tool('dars_rounds')
    cfg = Config.fromfile(DEMO)
    # the CPU demo: AdamW 1e-3, poly continued, no head multiplier
    rcfg, _ = _round_cfg(rounds, cfg, 2, tmp_path)
    assert rcfg.optim_wrapper.optimizer.lr == pytest.approx(
        1e-3 * (1 / 3)**0.9)
    assert 'paramwise_cfg' not in rcfg.optim_wrapper
    part = cfg.train_dataloader.dataset.unlabeled
    part.pipeline = [t for t in part.pipeline
                     if t['type'] != 'MarkPseudoLabeled']
    with pytest.raises(ValueError, match='MarkPseudoLabeled'):
        _round_cfg(rounds, cfg, 1, tmp_path)


def _sgd(lr):
    cfg = Config.fromfile(PSP_361).optim_wrapper
    cfg.optimizer.lr = lr
    model = Tiny()
    return model, build_optim_wrapper(model, cfg)


def test_optimizer_state_hook(tmp_path):
    torch.manual_seed(0)
    model, prev = _sgd(0.01)
    for _ in range(2):
        prev.update_params(model(torch.randn(2, 3, 6, 6)))
    ckpt = tmp_path / 'iter_2.pth'
    torch.save(dict(meta=dict(iter=2), state_dict=model.state_dict(),
                    optimizer=prev.state_dict()), ckpt)
    saved = {i: s['momentum_buffer'].clone()
             for i, s in enumerate(prev.optimizer.state.values())}
    assert saved

    new_model, new = _sgd(0.01 * 0.5**0.9)
    new_model.load_state_dict(model.state_dict())
    PARAM_SCHEDULERS.build(
        dict(type='PolyLR', power=0.9, eta_min=0.0, begin=0, end=10,
             by_epoch=False), default_args=dict(optimizer=new))
    lrs = [g['lr'] for g in new.optimizer.param_groups]
    hook = HOOKS.build(dict(type='LoadOptimizerStateHook',
                            checkpoint=str(ckpt)))
    hook.before_train(SimpleNamespace(iter=0, optim_wrapper=new))
    got = list(new.optimizer.state.values())
    assert len(got) == len(saved)
    for i, s in enumerate(got):
        torch.testing.assert_close(s['momentum_buffer'], saved[i])
    # this run's learning rates (and initial_lr) are kept
    assert [g['lr'] for g in new.optimizer.param_groups] == lrs
    assert sorted(set(round(x, 12) for x in lrs)) == [
        round(0.01 * 0.5**0.9, 12), round(0.1 * 0.5**0.9, 12)]

    # a resumed run keeps its own state
    _, fresh = _sgd(0.01)
    hook.before_train(SimpleNamespace(iter=5, optim_wrapper=fresh))
    assert not fresh.optimizer.state
    # another param-group layout (no paramwise_cfg) is refused
    plain = build_optim_wrapper(
        Tiny(), dict(type='OptimWrapper',
                     optimizer=dict(type='SGD', lr=0.01, momentum=0.9)))
    with pytest.raises(ValueError, match='param'):
        hook.before_train(SimpleNamespace(iter=0, optim_wrapper=plain))
    torch.save(dict(state_dict=model.state_dict()), tmp_path / 'w.pth')
    with pytest.raises(KeyError, match='no optimizer state'):
        HOOKS.build(dict(type='LoadOptimizerStateHook',
                         checkpoint=str(tmp_path / 'w.pth'))).before_train(
                             SimpleNamespace(iter=0, optim_wrapper=new))

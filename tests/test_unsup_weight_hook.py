"""UnsupWeightHook / unsup_weight_at: closed-form values, resume, errors."""
import math
from types import SimpleNamespace

import pytest
from torch import nn

from mmssl.engine.hooks.unsup_weight_hook import (UnsupWeightHook,
                                                  unsup_weight_at)


class Model(nn.Module):

    def __init__(self):
        super().__init__()
        self.unsup_weight = -1.0


def _run(hook, iter, max_iters=1000, model=None):
    model = model if model is not None else Model()
    runner = SimpleNamespace(model=model, iter=iter, max_iters=max_iters)
    hook.before_train_iter(runner, batch_idx=iter)
    return model.unsup_weight


@pytest.mark.parametrize('iter,t', [(0, 0.0), (50, 0.5), (100, 1.0),
                                    (101, 1.0), (10**6, 1.0), (25, 0.25)])
def test_closed_forms(iter, t):
    w = 2.0
    assert unsup_weight_at(iter, 100, w, 'sigmoid') == pytest.approx(
        w * math.exp(-5 * (1 - t)**2), rel=1e-12)
    assert unsup_weight_at(iter, 100, w, 'linear') == pytest.approx(
        w * t, rel=1e-12, abs=0)
    assert unsup_weight_at(iter, 100, w, 'constant') == w
    assert unsup_weight_at(iter, None, w, 'constant') == w


def test_known_values():
    # exp(-5) at the start, exp(-1.25) halfway, full weight at the end.
    assert unsup_weight_at(0, 10) == pytest.approx(0.006737946999085467)
    assert unsup_weight_at(5, 10) == pytest.approx(0.28650479686019015)
    assert unsup_weight_at(10, 10) == 1.0
    assert unsup_weight_at(3, 0, 1.5, 'linear') == 1.5  # no ramp at all


def test_monotone_and_bounded():
    for schedule in ('sigmoid', 'linear'):
        ws = [unsup_weight_at(i, 40, 0.7, schedule) for i in range(60)]
        assert all(a <= b for a, b in zip(ws, ws[1:]))
        assert ws[-1] == pytest.approx(0.7) and max(ws) <= 0.7 + 1e-12


def test_hook_sets_model_weight_from_iter():
    hook = UnsupWeightHook(max_weight=0.5, schedule='linear', warmup_iters=200)
    for it in (0, 40, 199, 200, 5000):
        assert _run(hook, it) == pytest.approx(0.5 * min(it / 200, 1))


def test_warmup_ratio_uses_max_iters():
    hook = UnsupWeightHook(schedule='sigmoid', warmup_ratio=0.25)
    # 0.25 * 800 = 200 iterations of ramp.
    assert _run(hook, 100, max_iters=800) == pytest.approx(math.exp(-5 * 0.25))
    assert _run(hook, 200, max_iters=800) == 1.0
    assert _run(hook, 100, max_iters=400) == 1.0


def test_resume_consistent():
    """The value depends only on runner.iter: a fresh hook at iter k (as
    after a resume) gives what an uninterrupted hook gives at k."""
    cfg = dict(max_weight=1.3, schedule='sigmoid', warmup_iters=30)
    continuous = UnsupWeightHook(**cfg)
    seq = [_run(continuous, i) for i in range(50)]
    resumed = UnsupWeightHook(**cfg)
    assert [_run(resumed, i) for i in range(20, 50)] == seq[20:]
    # Calling out of order or repeatedly changes nothing.
    assert _run(continuous, 7) == seq[7]


def test_wrapped_model():
    from mmengine.model import MMDistributedDataParallel
    model = Model()
    wrapper = MMDistributedDataParallel.__new__(MMDistributedDataParallel)
    nn.Module.__init__(wrapper)
    wrapper.module = model
    runner = SimpleNamespace(model=wrapper, iter=0, max_iters=10)
    UnsupWeightHook(
        schedule='constant', max_weight=0.3).before_train_iter(
            runner, batch_idx=0)
    assert model.unsup_weight == 0.3


def test_model_without_attribute():
    with pytest.raises(AttributeError, match='unsup_weight'):
        _run(UnsupWeightHook(schedule='constant'), 0, model=nn.Linear(1, 1))


@pytest.mark.parametrize('kwargs,name', [
    (dict(schedule='cosine', warmup_iters=10), 'schedule'),
    (dict(schedule='linear'), 'warmup_iters'),
    (dict(schedule='sigmoid', warmup_iters=10,
          warmup_ratio=0.1), 'warmup_ratio'),
    (dict(schedule='linear', warmup_iters=-1), 'warmup_iters'),
    (dict(schedule='linear', warmup_iters='10'), 'warmup_iters'),
    (dict(schedule='linear', warmup_ratio=-0.1), 'warmup_ratio'),
    (dict(schedule='linear', warmup_ratio=1.5), 'warmup_ratio'),
    (dict(schedule='constant', warmup_iters=10), 'warmup_iters'),
    (dict(schedule='constant', max_weight=-1.0), 'max_weight'),
    (dict(schedule='constant', max_weight=float('nan')), 'max_weight'),
])
def test_bad_settings(kwargs, name):
    with pytest.raises(ValueError, match=name):
        UnsupWeightHook(**kwargs)


def test_bad_function_arguments():
    with pytest.raises(ValueError, match='schedule'):
        unsup_weight_at(0, 10, 1.0, 'step')
    with pytest.raises(ValueError, match='warmup_iters'):
        unsup_weight_at(0, None, 1.0, 'sigmoid')
    with pytest.raises(ValueError, match='iter'):
        unsup_weight_at(-1, 10)


def test_registered_in_mmseg():
    from mmseg.registry import HOOKS
    hook = HOOKS.build(
        dict(type='UnsupWeightHook', schedule='linear', warmup_iters=4))
    assert isinstance(hook, UnsupWeightHook)
    assert _run(hook, 2) == 0.5

"""EMATeacherHook: EMAN update values, start copy vs resume, validation.

Run ``python tests/test_ema_teacher_hook.py`` for a fused-vs-loop benchmark.
"""
import copy
import time
import uuid
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from mmssl.engine.hooks.ema_teacher_hook import (EMATeacherHook,
                                                 ema_update_fused,
                                                 ema_update_reference)


def _net():
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
        nn.Conv2d(4, 2, 1))


class SemiModel(nn.Module):
    """Minimal model following the mmssl contract: student, teacher."""

    def __init__(self, seed=0):
        super().__init__()
        torch.manual_seed(seed)
        self.student = _net()
        self.teacher = _net()  # different random init than the student
        self.teacher.requires_grad_(False)
        self.unsup_weight = 0.0


def _student_step(model, seed):
    """Change student parameters (SGD step) and BN statistics (train-mode
    forward), as a training iteration would."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(2, 3, 5, 5, generator=g)
    model.student.train()
    out = model.student(x)
    loss = out.pow(2).mean()
    model.student.zero_grad()
    loss.backward()
    with torch.no_grad():
        for p in model.student.parameters():
            p.sub_(0.5 * p.grad)


def _state(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def _runner(model, iter=0):
    return SimpleNamespace(model=model, iter=iter)


def test_k_updates_match_closed_form():
    """teacher_k = d^k t_0 + sum_i (1-d) d^(k-i) s_i for parameters and BN
    running stats, computed independently in float64; counters copied."""
    decay, k = 0.7, 5
    model = SemiModel()
    hook = EMATeacherHook(decay=decay)
    t0 = {n: v.double() for n, v in _state(model.teacher).items()}
    snapshots = []
    for i in range(k):
        _student_step(model, seed=i)
        runner = _runner(model, iter=i)
        hook.after_train_iter(runner, batch_idx=i)
        snapshots.append(_state(model.student))

    teacher = model.teacher.state_dict()
    for name, t_init in t0.items():
        if name.endswith('num_batches_tracked'):
            assert teacher[name].item() == snapshots[-1][name].item() == k
            continue
        expected = decay**k * t_init
        for i, s in enumerate(snapshots, start=1):
            expected = expected + (1 - decay) * decay**(k -
                                                        i) * s[name].double()
        torch.testing.assert_close(
            teacher[name].double(),
            expected,
            rtol=1e-5,
            atol=1e-6,
            msg=lambda m: f'{name}: {m}')
    # Running stats really were averaged, not copied.
    rm = '1.running_mean'
    assert not torch.allclose(teacher[rm], snapshots[-1][rm])


@pytest.mark.parametrize('update_buffers', [True, False])
def test_fused_equals_reference_loop(update_buffers):
    decay = 0.9
    fused_model = SemiModel(seed=1)
    ref_model = copy.deepcopy(fused_model)
    hook = EMATeacherHook(decay=decay, update_buffers=update_buffers)
    for i in range(4):
        _student_step(fused_model, seed=10 + i)
        _student_step(ref_model, seed=10 + i)
        hook.after_train_iter(_runner(fused_model, iter=i), batch_idx=i)
        ema_update_reference(
            ref_model.teacher,
            ref_model.student,
            decay,
            update_buffers=update_buffers)
    ft, rt = _state(fused_model.teacher), _state(ref_model.teacher)
    for name in rt:
        torch.testing.assert_close(ft[name], rt[name], rtol=1e-6, atol=1e-7)
    if not update_buffers:
        # Buffers are copied from the student, parameters still averaged.
        st = _state(fused_model.student)
        assert torch.equal(ft['1.running_var'], st['1.running_var'])
        assert not torch.allclose(ft['0.weight'], st['0.weight'])


def test_one_off_fused_update_and_decay_zero():
    model = SemiModel(seed=2)
    ema_update_fused(model.teacher, model.student, 0.0)
    for (n, t), s in zip(model.teacher.state_dict().items(),
                         model.student.state_dict().values()):
        assert torch.equal(t, s), n


def test_interval():
    """Updates happen after iterations interval-1, 2*interval-1, ..."""
    model = SemiModel(seed=3)
    hook = EMATeacherHook(decay=0.5, interval=3)
    before = _state(model.teacher)
    for i in range(2):
        hook.after_train_iter(_runner(model, iter=i), batch_idx=i)
    assert all(
        torch.equal(before[n], v) for n, v in _state(model.teacher).items())
    hook.after_train_iter(_runner(model, iter=2), batch_idx=2)
    w0 = 0.5 * before['0.weight'] + 0.5 * model.student[0].weight.detach()
    torch.testing.assert_close(model.teacher[0].weight, w0)


def test_teacher_gets_no_gradient():
    model = SemiModel(seed=4)
    hook = EMATeacherHook(decay=0.9)
    hook.before_train(_runner(model))
    for i in range(2):
        _student_step(model, seed=i)
        hook.after_train_iter(_runner(model, iter=i), batch_idx=i)
    for p in model.teacher.parameters():
        assert not p.requires_grad and p.grad is None and p.grad_fn is None
    # A loss through both models only reaches the student.
    x = torch.randn(1, 3, 4, 4)
    (model.student(x).sum() + model.teacher(x).sum()).backward()
    assert all(p.grad is None for p in model.teacher.parameters())
    assert all(p.grad is not None for p in model.student.parameters())


def test_fresh_start_copies_student_exactly():
    model = SemiModel(seed=5)
    _student_step(model, seed=0)  # non-trivial BN stats and counter
    assert not torch.equal(model.teacher[0].weight, model.student[0].weight)
    EMATeacherHook().before_train(_runner(model, iter=0))
    for (n, t), s in zip(model.teacher.state_dict().items(),
                         model.student.state_dict().values()):
        assert torch.equal(t, s), n
    assert not model.teacher[0].weight.requires_grad


@pytest.mark.parametrize('iter,skip', [(7, False), (0, True)])
def test_resume_or_skip_keeps_teacher(iter, skip):
    model = SemiModel(seed=6)
    before = _state(model.teacher)
    EMATeacherHook(skip_init_copy=skip).before_train(_runner(model, iter))
    assert all(
        torch.equal(before[n], v) for n, v in _state(model.teacher).items())


def test_wrapped_model_and_mode_untouched():
    from mmengine.model import MMDistributedDataParallel
    model = SemiModel(seed=7)
    model.teacher.eval()
    wrapper = MMDistributedDataParallel.__new__(MMDistributedDataParallel)
    nn.Module.__init__(wrapper)
    wrapper.module = model
    hook = EMATeacherHook(decay=0.0)
    hook.after_train_iter(_runner(wrapper, iter=0), batch_idx=0)
    assert torch.equal(model.teacher[0].weight, model.student[0].weight)
    assert model.teacher.training is False
    assert model.student.training is True


def test_cache_rebuilt_when_tensors_replaced():
    """model.to() replaces buffer tensors; the cached lists must follow."""
    model = SemiModel(seed=8)
    hook = EMATeacherHook(decay=0.5)
    hook.after_train_iter(_runner(model, iter=0), batch_idx=0)
    plan = hook._plan
    hook.after_train_iter(_runner(model, iter=1), batch_idx=1)
    assert hook._plan is plan  # cached between iterations
    model.to(torch.float64)
    t_rm = model.teacher[1].running_mean.clone()
    hook.after_train_iter(_runner(model, iter=2), batch_idx=2)
    assert hook._plan is not plan
    torch.testing.assert_close(
        model.teacher[1].running_mean,
        0.5 * t_rm + 0.5 * model.student[1].running_mean)
    other = SemiModel(seed=9)
    hook.after_train_iter(_runner(other, iter=3), batch_idx=3)
    assert hook._plan.key == (id(other.teacher), id(other.student))


def test_mismatched_architectures_rejected():
    model = SemiModel()
    model.teacher = nn.Sequential(nn.Conv2d(3, 4, 3))
    with pytest.raises(ValueError, match='architecture'):
        EMATeacherHook().before_train(_runner(model))
    with pytest.raises(AttributeError, match='teacher'):
        EMATeacherHook().before_train(_runner(nn.Linear(1, 1)))


@pytest.mark.parametrize('decay', [1.0, -0.1, 1.5, '0.9', None, True])
def test_decay_validation(decay):
    with pytest.raises(ValueError, match='decay'):
        EMATeacherHook(decay=decay)


@pytest.mark.parametrize('interval', [0, -1, 1.5])
def test_interval_validation(interval):
    with pytest.raises(ValueError, match='interval'):
        EMATeacherHook(interval=interval)


def test_registered_in_mmseg():
    from mmseg.registry import HOOKS
    hook = HOOKS.build(dict(type='EMATeacherHook', decay=0.999))
    assert isinstance(hook, EMATeacherHook) and hook.decay == 0.999


# --- real mmengine Runner -------------------------------------------------


def _build_runner(tmp_path, hooks, max_iters):
    from mmengine.model import BaseModel
    from mmengine.runner import Runner

    class ToySemi(BaseModel):

        def __init__(self):
            super().__init__()
            self.student = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
            self.teacher = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
            self.teacher.requires_grad_(False)
            self.unsup_weight = 0.0

        def forward(self, inputs, data_samples=None, mode='tensor'):
            out = self.student(inputs)
            if mode == 'loss':
                return dict(loss=(out - 1).pow(2).mean())
            return out

    g = torch.Generator().manual_seed(0)
    data = [dict(inputs=torch.randn(3, generator=g)) for _ in range(8)]
    loader = torch.utils.data.DataLoader(data, batch_size=4, shuffle=False)
    return Runner(
        model=ToySemi(),
        work_dir=str(tmp_path),
        experiment_name=f'ema_{uuid.uuid4().hex}',
        train_dataloader=loader,
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        default_hooks=dict(checkpoint=None, logger=None),
        custom_hooks=hooks,
        default_scope='mmseg',
        log_level='WARNING')


def _recorder():
    """Hook running after the EMA hook (priority LOW) that snapshots the
    start state and the student after every iteration."""
    from mmengine.hooks import Hook

    class Recorder(Hook):
        priority = 'LOW'

        def __init__(self):
            self.start, self.students = None, []

        def before_train(self, runner):
            self.start = (_state(runner.model.student),
                          _state(runner.model.teacher))

        def after_train_iter(self,
                             runner,
                             batch_idx,
                             data_batch=None,
                             outputs=None):
            self.students.append(_state(runner.model.student))

    return Recorder()


def test_real_runner_fresh_training_matches_closed_form(tmp_path):
    decay, k = 0.6, 3
    rec = _recorder()
    runner = _build_runner(
        tmp_path, [rec, EMATeacherHook(decay=decay)], max_iters=k)
    runner.train()
    s0, t0 = rec.start
    assert all(torch.equal(s0[n], t0[n]) for n in s0)  # start copy
    teacher = runner.model.teacher.state_dict()
    assert len(rec.students) == k
    students = rec.students
    for name in s0:
        if name.endswith('num_batches_tracked'):
            assert teacher[name].item() == k
            continue
        expected = decay**k * s0[name].double()
        for i, s in enumerate(students, start=1):
            expected = expected + (1 - decay) * decay**(k -
                                                        i) * s[name].double()
        torch.testing.assert_close(
            teacher[name].double(), expected, rtol=1e-5, atol=1e-6)


def test_real_runner_resume_order_keeps_checkpoint_teacher(
        tmp_path, monkeypatch):
    """Runner.load_or_resume runs before before_train; simulate a resume at
    iter 4 that restored a teacher different from the student."""
    from mmengine.runner import Runner
    calls = []
    restored = {}

    def fake_load_or_resume(self):
        calls.append('load_or_resume')
        self.train_loop._iter = 4  # what Runner.resume restores
        with torch.no_grad():
            for p in self.model.teacher.parameters():
                p.fill_(0.25)
        restored.update(_state(self.model.teacher))

    monkeypatch.setattr(Runner, 'load_or_resume', fake_load_or_resume)

    class Spy(EMATeacherHook):

        def before_train(self, runner):
            calls.append(('before_train', runner.iter))
            super().before_train(runner)
            restored['after_before_train'] = _state(runner.model.teacher)

    runner = _build_runner(tmp_path, [Spy(decay=0.5)], max_iters=5)
    runner.train()
    assert calls == ['load_or_resume', ('before_train', 4)]
    kept = restored.pop('after_before_train')
    assert all(torch.equal(kept[n], restored[n]) for n in restored)


# --- benchmark --------------------------------------------------------------


def benchmark(num_blocks=50, channels=64, repeats=50):
    """Time fused (cached) vs per-tensor loop on a ResNet-like tensor mix."""
    blocks = []
    for _ in range(num_blocks):
        blocks += [
            nn.Conv2d(channels, channels, 3, bias=False),
            nn.BatchNorm2d(channels)
        ]
    model = SemiModel()
    model.student, model.teacher = nn.Sequential(*blocks), copy.deepcopy(
        nn.Sequential(*blocks))
    hook = EMATeacherHook(decay=0.999)
    runner = _runner(model)
    n = sum(1 for _ in model.student.state_dict())
    results = {}
    for name, fn in ((
            'loop',
            lambda: ema_update_reference(model.teacher, model.student, 0.999)),
                     ('fused', lambda: hook.after_train_iter(runner, 0))):
        fn()
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        results[name] = (time.perf_counter() - start) / repeats * 1e3
    print(f'{n} tensors: loop {results["loop"]:.2f} ms, '
          f'fused {results["fused"]:.2f} ms per update')
    return results


if __name__ == '__main__':
    torch.set_num_threads(2)
    benchmark()
    benchmark(channels=8)

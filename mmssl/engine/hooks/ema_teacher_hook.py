"""EMA teacher hook: the Mean Teacher update with EMAN buffer averaging.

After every ``interval`` training iterations the teacher becomes
``decay * teacher + (1 - decay) * student`` for every floating parameter
and, following EMAN (Cai et al., CVPR 2021), every floating buffer too
(BatchNorm ``running_mean``/``running_var``), so the teacher's statistics
match its averaged weights. Integer buffers (``num_batches_tracked``) are
copied. ``mmdet.MeanTeacherHook`` differs on purpose: by default it leaves
BatchNorm statistics alone and updates parameter by parameter in Python.

The update is fused: tensors are collected once into per-(device, dtype)
lists and averaged with one ``torch._foreach_lerp_`` call per list.
"""
from numbers import Real
from typing import Dict, List, Optional, Tuple

import torch
from mmengine.dist import all_reduce_params, get_world_size
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from torch import Tensor, nn

from mmseg.registry import HOOKS

__all__ = ['EMATeacherHook', 'ema_update_reference', 'ema_update_fused']


def ema_update_reference(teacher: nn.Module,
                         student: nn.Module,
                         decay: float,
                         update_buffers: bool = True) -> None:
    """Plain per-tensor EMA update; the reference for tests and benchmarks.

    Floating parameters (and floating buffers if ``update_buffers``) become
    ``decay * teacher + (1 - decay) * student``; all other tensors are copied.
    """
    with torch.no_grad():
        for (t_name, t), (s_name, s) in zip(teacher.named_parameters(),
                                            student.named_parameters()):
            assert t_name == s_name, (t_name, s_name)
            if t.dtype.is_floating_point:
                t.mul_(decay).add_(s, alpha=1 - decay)
            else:
                t.copy_(s)
        for (t_name, t), (s_name, s) in zip(teacher.named_buffers(),
                                            student.named_buffers()):
            assert t_name == s_name, (t_name, s_name)
            if update_buffers and t.dtype.is_floating_point:
                t.mul_(decay).add_(s, alpha=1 - decay)
            else:
                t.copy_(s)


class _EMAPlan:
    """Teacher/student tensors grouped once for fused updates.

    ``lerp`` groups are averaged, ``copy`` groups copied. Sentinels (the first
    parameter and buffer of each model) detect ``model.to(...)`` or anything
    else that replaces tensors, which would leave the cached lists stale.
    """

    def __init__(self, teacher: nn.Module, student: nn.Module,
                 update_buffers: bool) -> None:
        self.key = (id(teacher), id(student))
        lerp: Dict[tuple, Tuple[List[Tensor], List[Tensor]]] = {}
        copy: Dict[tuple, Tuple[List[Tensor], List[Tensor]]] = {}
        params = _zip_named(teacher.named_parameters(),
                            student.named_parameters())
        buffers = _zip_named(teacher.named_buffers(), student.named_buffers())
        pairs = [(n, t, s, True) for (n, t), s in params]
        pairs += [(n, t, s, update_buffers) for (n, t), s in buffers]
        for name, t, s, average in pairs:
            if t.shape != s.shape or t.dtype != s.dtype or \
                    t.device != s.device:
                raise ValueError(f'teacher and student differ at {name!r}: '
                                 f'{tuple(t.shape)} {t.dtype} {t.device} vs '
                                 f'{tuple(s.shape)} {s.dtype} {s.device}')
            groups = lerp if average and t.dtype.is_floating_point else copy
            ts, ss = groups.setdefault((t.device, t.dtype), ([], []))
            ts.append(t)
            ss.append(s)
        self.lerp_groups = list(lerp.values())
        self.copy_groups = list(copy.values())
        self.num_tensors = len(pairs)
        self.sentinels = [
            sentinel for m in (teacher, student) for sentinel in _sentinels(m)
        ]

    def is_valid_for(self, teacher: nn.Module, student: nn.Module) -> bool:
        if self.key != (id(teacher), id(student)):
            return False
        return all(
            getattr(owner, slot).get(name) is tensor
            for owner, slot, name, tensor in self.sentinels)

    def apply(self, decay: float) -> None:
        """Average the ``lerp`` groups with weight ``decay``, copy the rest."""
        with torch.no_grad():
            for ts, ss in self.lerp_groups:
                torch._foreach_lerp_(ts, ss, 1.0 - decay)
            for ts, ss in self.copy_groups:
                _foreach_copy(ts, ss)

    def copy_all(self) -> None:
        """Make the teacher an exact copy of the student."""
        with torch.no_grad():
            for ts, ss in self.lerp_groups + self.copy_groups:
                _foreach_copy(ts, ss)


def _foreach_copy(dst: List[Tensor], src: List[Tensor]) -> None:
    if hasattr(torch, '_foreach_copy_'):
        torch._foreach_copy_(dst, src)
    else:  # torch < 2.1
        for d, s in zip(dst, src):
            d.copy_(s)


def _zip_named(teacher_items, student_items):
    """Pair teacher and student tensors by name; the names must agree."""
    teacher_items, student_items = list(teacher_items), list(student_items)
    t_names = [n for n, _ in teacher_items]
    s_names = [n for n, _ in student_items]
    if t_names != s_names:
        missing = sorted(set(t_names) ^ set(s_names))[:5]
        raise ValueError('teacher and student must have the same '
                         f'architecture; differing tensors: {missing}')
    return [((n, t), s)
            for (n, t), (_, s) in zip(teacher_items, student_items)]


def _sentinels(module: nn.Module) -> list:
    """(owner, slot, name, tensor) of the module's first parameter and
    first buffer, so that a replaced tensor can be detected in O(1)."""
    found = []
    for slot in ('_parameters', '_buffers'):
        for owner in module.modules():
            items = [(n, t) for n, t in getattr(owner, slot).items()
                     if t is not None]
            if items:
                found.append((owner, slot, items[0][0], items[0][1]))
                break
    return found


def ema_update_fused(teacher: nn.Module,
                     student: nn.Module,
                     decay: float,
                     update_buffers: bool = True) -> None:
    """One-off fused EMA update (no caching); same result as the reference."""
    _EMAPlan(teacher, student, update_buffers).apply(decay)


def sync_float_buffers(module: nn.Module) -> None:
    """Average ``module``'s floating buffers over all ranks, in place."""
    if get_world_size() < 2:
        return
    buffers = [b for b in module.buffers() if b.dtype.is_floating_point]
    if buffers:
        all_reduce_params(buffers, coalesce=True, op='mean')


@HOOKS.register_module()
class EMATeacherHook(Hook):
    """Update ``model.teacher`` as the EMA of ``model.student`` (EMAN).

    Relies on the model (or ``model.module`` of a wrapper) having ``student``
    and ``teacher`` modules of the same architecture.

    Args:
        decay (float): Weight of the teacher in the average, in [0, 1).
            ``mmdet.MeanTeacherHook(momentum=m)`` corresponds to
            ``decay = 1 - m``. Defaults to 0.99.
        interval (int): Update every ``interval`` training iterations.
            Defaults to 1.
        update_buffers (bool): Average floating buffers (BatchNorm
            statistics) like parameters (EMAN). If False they are copied from
            the student, as mmengine's ``ExponentialMovingAverage`` does.
            Integer buffers are always copied. Defaults to True.
        skip_init_copy (bool): Do not copy student into teacher at the start
            of a fresh run (e.g. when the teacher is initialised on purpose
            from a different checkpoint). Defaults to False.
        sync_buffers (bool): In distributed training, average the student's
            floating buffers over ranks before each update. Parameters are
            identical on every rank (DDP), but with plain BN (CPU, or SyncBN
            off) each rank's running statistics come from its own data, and
            EMAN would make the teachers drift apart. One coalesced
            all-reduce of the (small) buffers; a no-op on one process.
            Defaults to True.
        mean_start (bool): Use ``min(decay, 1 - 1 / (t + 1))`` after
            iteration ``t`` (0-based): the teacher starts as the running
            mean of the students so far and becomes an EMA with ``decay``
            once ``t + 1 >= 1 / (1 - decay)``. UniMatch V2's schedule
            (``ema_ratio = min(1 - 1 / (iters + 1), 0.996)``,
            ``unimatch_v2.py``). Defaults to False (constant ``decay``).

    The start copy happens in ``before_train``, which mmengine's training
    loops call after ``Runner.load_or_resume``: when resuming
    (``runner.iter > 0``) the teacher restored from the checkpoint is kept.
    ``load_from`` without ``resume`` starts at iteration 0, so the teacher
    becomes the loaded student unless ``skip_init_copy=True``.
    The hook never changes the teacher's train/eval mode.
    """

    priority = 'NORMAL'

    def __init__(self,
                 decay: float = 0.99,
                 interval: int = 1,
                 update_buffers: bool = True,
                 skip_init_copy: bool = False,
                 sync_buffers: bool = True,
                 mean_start: bool = False) -> None:
        if isinstance(decay, bool) or not isinstance(decay, Real) \
                or not 0.0 <= decay < 1.0:
            raise ValueError(
                f'decay must be a number in [0, 1), got {decay!r}')
        if isinstance(interval, bool) or not isinstance(interval, int) \
                or interval < 1:
            raise ValueError(
                f'interval must be a positive integer, got {interval!r}')
        self.decay = float(decay)
        self.interval = interval
        self.update_buffers = bool(update_buffers)
        self.skip_init_copy = bool(skip_init_copy)
        self.sync_buffers = bool(sync_buffers)
        self.mean_start = bool(mean_start)
        self._plan: Optional[_EMAPlan] = None

    @staticmethod
    def _teacher_student(runner) -> Tuple[nn.Module, nn.Module]:
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        for attr in ('teacher', 'student'):
            if not isinstance(getattr(model, attr, None), nn.Module):
                raise AttributeError(
                    f'EMATeacherHook needs model.{attr} (an nn.Module); '
                    f'{type(model).__name__} has none')
        if model.teacher is model.student:
            raise ValueError(
                f'EMATeacherHook: {type(model).__name__} has no EMA teacher '
                "(semi_train_cfg.teacher='student': the student labels "
                'itself); remove the hook from custom_hooks')
        return model.teacher, model.student

    def _get_plan(self, teacher: nn.Module, student: nn.Module) -> _EMAPlan:
        if self._plan is None or not self._plan.is_valid_for(teacher, student):
            self._plan = _EMAPlan(teacher, student, self.update_buffers)
        return self._plan

    def ema_update(self, teacher: nn.Module, student: nn.Module,
                   decay: float) -> None:
        """Fused EMA update with the cached tensor lists."""
        self._get_plan(teacher, student).apply(decay)

    def before_train(self, runner) -> None:
        """Copy student into teacher on a fresh start, never on resume."""
        teacher, student = self._teacher_student(runner)
        self._plan = None  # tensors may have moved since construction
        if runner.iter == 0 and not self.skip_init_copy:
            self._get_plan(teacher, student).copy_all()

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        """Update the teacher every ``interval`` iterations."""
        if self.every_n_train_iters(runner, self.interval):
            teacher, student = self._teacher_student(runner)
            if self.sync_buffers:
                sync_float_buffers(student)
            self.ema_update(teacher, student, self.decay_at(runner.iter))

    def decay_at(self, it: int) -> float:
        """The decay of the update after iteration ``it`` (0-based)."""
        if not self.mean_start:
            return self.decay
        return min(self.decay, 1.0 - 1.0 / (it + 1))

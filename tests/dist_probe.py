"""Test-only hook: every rank saves its teacher and student after training."""
import os.path as osp

import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmseg.registry import HOOKS


@HOOKS.register_module()
class DumpRankStateHook(Hook):

    def after_train(self, runner):
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        torch.save(
            dict(teacher=model.teacher.state_dict(),
                 student=model.student.state_dict(),
                 iter=runner.iter),
            osp.join(runner.work_dir, f'rank{get_rank()}_state.pth'))


@HOOKS.register_module()
class ResumeProbeHook(Hook):
    """Records, on each rank, what training starts from (after every other
    hook's ``before_train``) and lambda at the first iteration."""

    priority = 'LOWEST'

    def before_train(self, runner):
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        self._start = dict(
            iter=runner.iter,
            teacher={k: v.clone()
                     for k, v in model.teacher.state_dict().items()},
            optimizer=runner.optim_wrapper.state_dict())

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if hasattr(self, '_start') and 'unsup_weight' not in self._start:
            model = runner.model.module if is_model_wrapper(
                runner.model) else runner.model
            self._start['unsup_weight'] = model.unsup_weight
            self._start['first_iter'] = runner.iter
            torch.save(
                self._start,
                osp.join(runner.work_dir, f'rank{get_rank()}_start.pth'))


@HOOKS.register_module()
class LabeledCountProbeHook(Hook):
    """Records, on each rank, how many labeled samples every step's batch
    held (saved after training as ``rank<r>_labeled.pth``)."""

    def before_train(self, runner):
        self.counts = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.counts.append(
            sum(bool(ds.is_labeled)
                for ds in data_batch['data_samples']['weak']))

    def after_train(self, runner):
        torch.save(self.counts,
                   osp.join(runner.work_dir, f'rank{get_rank()}_labeled.pth'))

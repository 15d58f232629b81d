"""Test-only hooks for the two-process multi-task run."""
import os.path as osp

import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook

from mmseg.registry import HOOKS


@HOOKS.register_module()
class TaskFlagsPerRankHook(Hook):
    """Before every step: rank 0's batch loses its detection labels, rank
    1's its segmentation labels (flags of both views), and the flags each
    rank trained with are saved after training (``rank<r>_flags.pth``)."""

    priority = 'VERY_HIGH'

    def before_train(self, runner):
        self.flags = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        drop = 'det_labeled' if get_rank() == 0 else 'seg_labeled'
        step = []
        for i, weak in enumerate(data_batch['data_samples']['weak']):
            for branch in ('weak', 'strong'):
                ds = data_batch['data_samples'][branch][i]
                ds.set_metainfo({drop: False})
                ds.set_metainfo(
                    dict(is_labeled=bool(ds.seg_labeled or ds.det_labeled)))
            step.append((bool(weak.seg_labeled), bool(weak.det_labeled)))
        self.flags.append(step)

    def after_train(self, runner):
        torch.save(self.flags,
                   osp.join(runner.work_dir, f'rank{get_rank()}_flags.pth'))

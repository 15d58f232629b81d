"""--resume under torch>=2.6 weights_only loading, and unsafe loads refused."""
import os.path as osp
import pickle

import pytest
import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint
from torch.utils.data import Dataset

import mmssl  # noqa: F401  (registers the allow-list)
from mmssl.utils import checkpoint_safe_globals


class _ToyData(Dataset):

    def __len__(self):
        return 8

    def __getitem__(self, i):
        g = torch.Generator().manual_seed(i)
        return dict(inputs=torch.randn(3, generator=g),
                    data_samples=torch.randn(1, generator=g))


class _ToyModel(BaseModel):

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 1)
        self.bn = nn.BatchNorm1d(1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.bn(self.linear(inputs))
        return dict(loss=((out - data_samples)**2).mean())


def _runner(work_dir, max_iters, resume=False):
    torch.manual_seed(0)  # identical initial weights for every runner
    return Runner(
        model=_ToyModel(),
        work_dir=work_dir,
        train_dataloader=dict(
            dataset=_ToyData(),
            sampler=dict(type='InfiniteSampler', shuffle=True),
            batch_size=4,
            collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(
            optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
        param_scheduler=dict(
            type='PolyLR', power=0.9, end=8, by_epoch=False),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        default_hooks=dict(
            checkpoint=dict(
                type='CheckpointHook', interval=2, by_epoch=False)),
        resume=resume,
        randomness=dict(seed=0),
        default_scope='mmseg')


def test_checkpoint_has_only_allow_listed_globals(tmp_path):
    runner = _runner(str(tmp_path), max_iters=2)
    runner.train()
    ckpt = osp.join(str(tmp_path), 'iter_2.pth')
    unsafe = torch.serialization.get_unsafe_globals_in_checkpoint(ckpt)
    allowed = {f'{g.__module__}.{g.__qualname__}'
               for g in checkpoint_safe_globals()}
    # 'builtins.getattr' in particular must be gone (mmssl's reducer).
    assert 'builtins.getattr' not in unsafe
    assert set(unsafe) <= allowed, set(unsafe) - allowed


def test_resume_round_trip_matches_uninterrupted_run(tmp_path):
    full = _runner(str(tmp_path / 'full'), max_iters=6)
    full.train()
    part = _runner(str(tmp_path / 'part'), max_iters=4)
    part.train()
    resumed = _runner(str(tmp_path / 'part'), max_iters=6, resume=True)
    resumed.train()
    assert resumed.iter == 6
    for (name, a), (_, b) in zip(full.model.state_dict().items(),
                                 resumed.model.state_dict().items()):
        torch.testing.assert_close(a, b, msg=name)
    # optimizer momentum and lr schedule continued, not restarted
    lr_full = full.optim_wrapper.get_lr()['lr'][0]
    lr_res = resumed.optim_wrapper.get_lr()['lr'][0]
    assert lr_res == pytest.approx(lr_full)


class Evil:
    """Any non-allow-listed object, as an attacker would pickle."""

    def __reduce__(self):
        return (print, ('pwned', ))


def test_unsafe_checkpoint_still_refused(tmp_path):
    path = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {'w': torch.zeros(1)}, 'meta': Evil()}, path)
    with pytest.raises(pickle.UnpicklingError):
        _load_checkpoint(path, map_location='cpu')
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)


def test_getattr_is_not_allow_listed(tmp_path):
    path = str(tmp_path / 'getattr.pth')

    class UsesGetattr:

        def __reduce__(self):
            return (getattr, ('abc', 'upper'))

    torch.save({'x': UsesGetattr()}, path)
    with pytest.raises(pickle.UnpicklingError):
        _load_checkpoint(path, map_location='cpu')

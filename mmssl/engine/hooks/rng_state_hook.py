"""Checkpoint the global torch RNG so that ``--resume`` continues exactly."""
from typing import Optional

import torch
from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import Hook

from mmseg.registry import HOOKS


def _torch_rng_state() -> dict:
    state = dict(torch=torch.get_rng_state())
    if torch.cuda.is_available():
        state['cuda'] = torch.cuda.get_rng_state()
    return state


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Save every rank's global torch RNG state in checkpoints and restore it
    on resume.

    mmengine's ``Runner.resume`` re-seeds but never restores RNG state, so
    after a resume dropout masks and the mixing methods' draws (ClassMix
    classes, CutMix boxes, partners, kornia augmentations) differ from an
    uninterrupted run. Only torch's state is kept: the dataloader replay of
    the first ``iter`` batches already brings numpy / ``random`` (used by the
    data pipeline) to the uninterrupted run's state, and restoring them too
    would advance them twice. ``save_checkpoint`` runs on rank 0 only, so
    with several ranks every rank's state is gathered after each iteration
    (one small ``all_gather_object``) and rank ``r`` restores entry ``r``.
    Restored in ``before_train``, after ``Runner.load_or_resume``. On a GPU
    an exact resume also needs ``randomness.deterministic=True``.
    """
    priority = 'VERY_HIGH'

    def __init__(self):
        self._gathered: Optional[list] = None
        self._loaded: Optional[list] = None

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if get_world_size() > 1:
            self._gathered = all_gather_object(_torch_rng_state())

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['rng_state'] = (
            self._gathered if self._gathered is not None else
            [_torch_rng_state()])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self._loaded = checkpoint.get('rng_state')

    def before_train(self, runner) -> None:
        states, self._loaded = self._loaded, None
        if runner.iter == 0 or not states:
            return
        state = states[get_rank()] if get_rank() < len(states) else states[0]
        torch.set_rng_state(state['torch'])
        if 'cuda' in state and torch.cuda.is_available():
            torch.cuda.set_rng_state(state['cuda'])

"""Save panels of pseudo-labels every N iterations through the visualizer."""
from typing import Optional, Sequence

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmseg.registry import HOOKS


def colorize(labels: np.ndarray, palette: np.ndarray,
             ignore_index: int = 255) -> np.ndarray:
    """``(H, W)`` class indices -> ``(H, W, 3)`` RGB, ignore shown black."""
    out = np.zeros(labels.shape + (3, ), dtype=np.uint8)
    valid = (labels != ignore_index) & (labels < len(palette))
    out[valid] = palette[labels[valid]]
    return out


def _to_rgb(img: torch.Tensor) -> np.ndarray:
    """Packed ``(3, H, W)`` BGR uint8 tensor -> ``(H, W, 3)`` RGB."""
    return img.detach().cpu().numpy().transpose(1, 2, 0)[..., ::-1].astype(
        np.uint8)


def _fit(img: np.ndarray, h: int, w: int) -> np.ndarray:
    canvas = np.zeros((h, w, 3), dtype=np.uint8)
    hh, ww = min(h, img.shape[0]), min(w, img.shape[1])
    canvas[:hh, :ww] = img[:hh, :ww]
    return canvas


@HOOKS.register_module()
class PseudoLabelVisualizationHook(Hook):
    """Every ``interval`` iterations, save one panel per sample.

    Panel columns: weak view | teacher pseudo-label on the weak view |
    matched pseudo-label over the strong view | strong view | student
    prediction on the strong view. Ignored / invalid locations are black.
    Images go through ``runner.visualizer.add_image`` and so to every
    configured backend (``LocalVisBackend`` files under
    ``<work_dir>/<timestamp>/vis_data/vis_image``, ``TensorboardVisBackend``).

    Reads ``model.last_pseudo_labels`` written by :class:`SemiSegmentor`.
    """

    priority = 'LOWEST'

    def __init__(self,
                 interval: int = 500,
                 max_samples: int = 4,
                 alpha: float = 0.5,
                 palette: Optional[Sequence] = None):
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        self.interval = interval
        self.max_samples = max_samples
        self.alpha = alpha
        self.palette = None if palette is None else np.asarray(
            palette, dtype=np.uint8)

    def _palette(self, runner, num_classes: int) -> np.ndarray:
        if self.palette is not None:
            return self.palette
        meta = getattr(runner.train_dataloader.dataset, 'metainfo', {}) or {}
        if meta.get('palette'):
            return np.asarray(meta['palette'], dtype=np.uint8)
        rng = np.random.RandomState(0)
        return rng.randint(0, 255, (num_classes, 3)).astype(np.uint8)

    def make_panels(self, model, data_batch, palette) -> list:
        """The panels of the last batch, as ``(H, 5W, 3)`` RGB arrays."""
        cache = model.last_pseudo_labels
        if not cache or 'matched' not in cache:
            return []
        ignore = model.ignore_index
        weak_imgs = data_batch['inputs']['weak']
        strong_imgs = data_batch['inputs']['strong']
        panels = []
        for k, idx in enumerate(cache['index'].tolist()[:self.max_samples]):
            weak = _to_rgb(weak_imgs[idx])
            strong = _to_rgb(strong_imgs[idx])
            h, w = max(weak.shape[0], strong.shape[0]), max(
                weak.shape[1], strong.shape[1])
            pl = colorize(cache['weak'][k].cpu().numpy(), palette, ignore)
            matched = cache['matched'][k].cpu().numpy()
            over = _fit(strong, *matched.shape).astype(np.float32)
            valid = matched != ignore
            over[valid] = ((1 - self.alpha) * over[valid] + self.alpha *
                           colorize(matched, palette, ignore)[valid])
            cols = [weak, pl, over.astype(np.uint8), strong]
            if 'student_pred' in cache and k < len(cache['student_pred']):
                cols.append(
                    colorize(cache['student_pred'][k].cpu().numpy(), palette,
                             ignore))
            panels.append(np.concatenate([_fit(c, h, w) for c in cols], 1))
        return panels

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        if not self.every_n_train_iters(runner, self.interval):
            return
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        palette = self._palette(runner, model.num_classes)
        for k, panel in enumerate(self.make_panels(model, data_batch,
                                                   palette)):
            runner.visualizer.add_image(
                f'pseudo_labels_{k}', panel, step=runner.iter + 1)

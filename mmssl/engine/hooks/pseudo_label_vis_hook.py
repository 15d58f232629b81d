"""Pseudo-label panels and class distribution, through the visualizer."""
from typing import List, Optional, Sequence

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.logging import MessageHub
from mmengine.model import is_model_wrapper

from mmseg.registry import HOOKS
from ...models.core import HOOK_INFO_KEY


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


def draw_boxes(img: np.ndarray, boxes, colour=(255, 255, 0),
               width: int = 1) -> np.ndarray:
    """A copy of ``img`` ``(H, W, 3)`` with the outlines of ``boxes``
    ``[k, 4]`` (x1, y1, x2, y2 in pixels) drawn in ``colour``."""
    out = np.ascontiguousarray(img).copy()
    h, w = out.shape[:2]
    if boxes is None or len(boxes) == 0:
        return out
    arr = boxes.detach().cpu().numpy() if isinstance(
        boxes, torch.Tensor) else np.asarray(boxes)
    for x1, y1, x2, y2 in np.round(arr).astype(np.int64):
        x1, x2 = np.clip([x1, x2 - 1], 0, w - 1)
        y1, y2 = np.clip([y1, y2 - 1], 0, h - 1)
        out[y1:y1 + width, x1:x2 + 1] = colour
        out[max(y2 - width + 1, 0):y2 + 1, x1:x2 + 1] = colour
        out[y1:y2 + 1, x1:x1 + width] = colour
        out[y1:y2 + 1, max(x2 - width + 1, 0):x2 + 1] = colour
    return out


def _fit(img: np.ndarray, h: int, w: int) -> np.ndarray:
    canvas = np.zeros((h, w, 3), dtype=np.uint8)
    hh, ww = min(h, img.shape[0]), min(w, img.shape[1])
    canvas[:hh, :ww] = img[:hh, :ww]
    return canvas


def class_bar_image(fractions: np.ndarray, names: Sequence[str],
                    palette: np.ndarray, title: str) -> np.ndarray:
    """A bar plot of per-class fractions as an ``(H, W, 3)`` RGB array."""
    import matplotlib
    matplotlib.use('Agg', force=False)
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    fig = Figure(figsize=(max(4, 0.35 * len(names) + 1), 3), dpi=100)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    x = np.arange(len(names))
    colours = [tuple(c / 255 for c in palette[i % len(palette)]) for i in x]
    ax.bar(x, 100 * fractions, color=colours, edgecolor='black',
           linewidth=0.5)
    ax.set_xticks(x, list(names), rotation=60, ha='right', fontsize=7)
    ax.set_ylabel('% of pseudo-labeled pixels')
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


@HOOKS.register_module()
class PseudoLabelVisualizationHook(Hook):
    """Pseudo-label panels and the pseudo-label class distribution.

    Reads what the model published for the current step (``MessageHub``
    runtime info :data:`~mmssl.models.core.HOOK_INFO_KEY`,
    renewed every step: ``index``, ``weak_labels``, ``pseudo_labels``,
    ``student_inputs``, optional ``student_images``, ``class_counts``,
    ``num_classes``, ``ignore_index``; multi-task models add
    ``teacher_boxes`` (weak frame) and ``pseudo_boxes`` (strong frame), per
    sample ``[k, 4]``) and skips quietly whatever a model does not provide.

    Every iteration it adds the step's ``class_counts``; every ``interval``
    iterations it sends to the visualizer backends (``LocalVisBackend``
    files under ``<work_dir>/<timestamp>/vis_data``, TensorBoard, ...),
    not to the console log:

    * one panel per sample (``pseudo_labels_<k>``): weak view | teacher
      pseudo-label on the weak view | pseudo-label in the student's frame
      over the student's image | the student's image (the strong view, or
      the mixed image of mixing methods) | student prediction; with
      boxes, the teacher's boxes are drawn on the weak view and the boxes
      projected into the strong view on the student's image;
    * the class distribution of the pseudo-labeled pixels since the last
      report, as scalars ``pseudo_label_class/<name>`` and as a bar image
      ``pseudo_label_classes``.
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
        self._counts = None
        self._first_iter = None

    def _metainfo(self, runner) -> dict:
        dataset = getattr(runner.train_dataloader, 'dataset', None)
        return getattr(dataset, 'metainfo', None) or {}

    def _palette(self, runner, num_classes: int) -> np.ndarray:
        if self.palette is not None:
            return self.palette
        meta = self._metainfo(runner)
        if meta.get('palette'):
            return np.asarray(meta['palette'], dtype=np.uint8)
        rng = np.random.RandomState(0)
        return rng.randint(0, 255, (num_classes, 3)).astype(np.uint8)

    @torch.no_grad()
    def student_predictions(self, model, inputs: torch.Tensor) -> np.ndarray:
        """The student's argmax on its unsupervised inputs (eval mode)."""
        student = getattr(model, 'student', None)
        if student is None or not hasattr(student, 'encode_decode'):
            return None
        shape = tuple(inputs.shape[2:])
        metas = [dict(img_shape=shape, pad_shape=shape, ori_shape=shape)
                 ] * inputs.shape[0]
        was_training = student.training
        student.eval()
        try:
            logits = student.encode_decode(inputs, metas)
        finally:
            student.train(was_training)
        return logits.argmax(1).cpu().numpy()

    def make_panels(self, info: dict, data_batch: dict, palette: np.ndarray,
                    model=None) -> List[np.ndarray]:
        """Panels of this step's pseudo-labels, ``(H, 5W, 3)`` RGB each."""
        index = info.get('index') or []
        has_seg = 'pseudo_labels' in info
        has_boxes = info.get('pseudo_boxes') is not None
        if not (has_seg or has_boxes) or not index:
            return []
        ignore = info.get('ignore_index', 255)
        inputs = data_batch.get('inputs', {}) if data_batch else {}
        weak_imgs, strong_imgs = inputs.get('weak'), inputs.get('strong')
        n = min(len(index), self.max_samples)
        preds = None
        if model is not None and info.get('student_inputs') is not None:
            preds = self.student_predictions(model,
                                             info['student_inputs'][:n])
        panels = []
        for k in range(n):
            idx = index[k]
            if has_seg:
                target = info['pseudo_labels'][k].cpu().numpy()
                h, w = target.shape
            elif strong_imgs is not None:
                h, w = strong_imgs[idx].shape[-2:]
            else:
                h, w = info['student_inputs'][k].shape[-2:]
            if info.get('student_images') is not None:  # e.g. mixed
                strong = info['student_images'][k].permute(
                    1, 2, 0).cpu().numpy().astype(np.uint8)
            elif strong_imgs is not None:
                strong = _to_rgb(strong_imgs[idx])
            else:
                strong = np.zeros((h, w, 3), np.uint8)
            if has_boxes:  # multi-task: projected boxes on the strong view
                strong = draw_boxes(strong, info['pseudo_boxes'][k])
            cols = []
            if weak_imgs is not None:
                weak = _to_rgb(weak_imgs[idx])
                if info.get('teacher_boxes') is not None:
                    weak = draw_boxes(weak, info['teacher_boxes'][k])
                cols.append(weak)
            if info.get('weak_labels') is not None:
                cols.append(
                    colorize(info['weak_labels'][k].cpu().numpy(), palette,
                             ignore))
            if has_seg:
                over = _fit(strong, h, w).astype(np.float32)
                valid = target != ignore
                over[valid] = ((1 - self.alpha) * over[valid] + self.alpha *
                               colorize(target, palette, ignore)[valid])
                cols.append(over.astype(np.uint8))
            cols.append(strong)
            if preds is not None:
                cols.append(colorize(preds[k], palette, ignore))
            ph = max(c.shape[0] for c in cols)
            pw = max(c.shape[1] for c in cols)
            panels.append(np.concatenate([_fit(c, ph, pw) for c in cols], 1))
        return panels

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        info = MessageHub.get_current_instance().get_info(HOOK_INFO_KEY)
        if not info:
            return
        counts = info.get('class_counts')
        if counts is not None:  # summed on device: no sync per step
            if self._counts is None:
                self._counts, self._first_iter = counts.clone(), runner.iter + 1
            else:
                self._counts = self._counts + counts
        if not self.every_n_train_iters(runner, self.interval):
            return
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        num_classes = info.get('num_classes') or (
            len(self._counts) if self._counts is not None else 1)
        palette = self._palette(runner, num_classes)
        step = runner.iter + 1
        for k, panel in enumerate(
                self.make_panels(info, data_batch, palette, model)):
            runner.visualizer.add_image(f'pseudo_labels_{k}', panel, step=step)
        if self._counts is not None:
            self.report_class_distribution(runner, palette, step)

    def report_class_distribution(self, runner, palette, step: int) -> None:
        counts = self._counts.double().cpu().numpy()
        self._counts = None
        fractions = counts / max(counts.sum(), 1.0)
        names = list(self._metainfo(runner).get('classes') or [])
        if len(names) != len(fractions):
            names = [str(c) for c in range(len(fractions))]
        runner.visualizer.add_scalars(
            {
                f'pseudo_label_class/{name}': float(f)
                for name, f in zip(names, fractions)
            },
            step=step)
        runner.visualizer.add_image(
            'pseudo_label_classes',
            class_bar_image(
                fractions, names, palette,
                f'pseudo-label classes, iterations {self._first_iter}-{step}'),
            step=step)

"""Pseudo-labels against the ground truth the unlabeled images really have.

On generated data (or a labeled set used as unlabeled) every unlabeled
image has a label map, so what a teacher passes on can be measured per
class: of the pixels it labels ``c``, how many are ``c`` (precision); of
the true ``c`` pixels, how many it keeps at all (coverage) and how many it
labels ``c`` (recall); and where the rest go (the class that most often
takes a class's pixels: confirmation bias made visible). One confusion
matrix holds all of it: rows are true classes, columns the pseudo class,
the last column the pixels left unlabeled (ignore).
"""
import os
import os.path as osp
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np


def pseudo_label_confusion(pseudo: np.ndarray, gt: np.ndarray,
                           num_classes: int,
                           ignore_index: int = 255) -> np.ndarray:
    """``[C, C + 1]`` int64 counts: true class (row) x pseudo class
    (column; column C = pixel left unlabeled). Pixels whose ground truth
    is ``ignore_index`` are not counted; a pseudo value that is neither a
    class nor ``ignore_index`` is an error."""
    pseudo = np.asarray(pseudo)
    gt = np.asarray(gt)
    if pseudo.shape != gt.shape:
        raise ValueError(f'pseudo-label shape {pseudo.shape} differs from '
                         f'the ground truth shape {gt.shape}')
    valid = gt != ignore_index
    p = pseudo[valid].astype(np.int64)
    g = gt[valid].astype(np.int64)
    if g.size and (g.min() < 0 or g.max() >= num_classes):
        raise ValueError(f'ground truth values outside 0..{num_classes - 1} '
                         f'and {ignore_index}: {sorted(set(g.tolist()))[:8]}')
    unlabeled = p == ignore_index
    if np.any((p[~unlabeled] < 0) | (p[~unlabeled] >= num_classes)):
        raise ValueError(f'pseudo-label values outside 0..{num_classes - 1} '
                         f'and {ignore_index}')
    p[unlabeled] = num_classes
    counts = np.bincount(g * (num_classes + 1) + p,
                         minlength=num_classes * (num_classes + 1))
    return counts.reshape(num_classes, num_classes + 1)


def _ratio(num, den) -> Optional[float]:
    return float(num) / float(den) if den else None


def quality_table(confusion: np.ndarray,
                  class_names: Sequence[str]) -> Dict[str, object]:
    """Per-class and overall measures from :func:`pseudo_label_confusion`.

    Per class: ``gt_pixels``, ``pseudo_pixels``, ``precision`` (correct /
    labeled that class), ``recall`` (correct / true pixels), ``coverage``
    (true pixels given any pseudo-label / true pixels), ``iou`` (among
    the labeled pixels: correct / (pseudo + true-and-labeled - correct))
    and ``taken_by`` (the class, other than itself, that got most of its
    labeled pixels, with that share of its true pixels). ``None`` where a
    ratio has no pixels to count. Overall: ``labeled_ratio`` and
    ``accuracy`` of the labeled pixels."""
    conf = np.asarray(confusion, np.int64)
    n = conf.shape[0]
    if conf.shape != (n, n + 1) or len(class_names) != n:
        raise ValueError(f'confusion of shape {conf.shape} for '
                         f'{len(class_names)} classes; expected '
                         f'({len(class_names)}, {len(class_names) + 1})')
    labeled = conf[:, :n]
    correct = np.diag(labeled)
    gt_pixels = conf.sum(1)
    gt_labeled = labeled.sum(1)
    pseudo_pixels = labeled.sum(0)
    classes = []
    for c, name in enumerate(class_names):
        wrong = labeled[c].copy()
        wrong[c] = 0
        k = int(wrong.argmax())
        taken_by = (dict(name=class_names[k],
                         share=float(wrong[k]) / float(gt_pixels[c]))
                    if wrong[k] > 0 else None)
        classes.append(dict(
            name=name,
            gt_pixels=int(gt_pixels[c]),
            pseudo_pixels=int(pseudo_pixels[c]),
            precision=_ratio(correct[c], pseudo_pixels[c]),
            recall=_ratio(correct[c], gt_pixels[c]),
            coverage=_ratio(gt_labeled[c], gt_pixels[c]),
            iou=_ratio(correct[c],
                       pseudo_pixels[c] + gt_labeled[c] - correct[c]),
            taken_by=taken_by))
    total = int(conf.sum())
    return dict(
        pixels=total,
        labeled_ratio=_ratio(labeled.sum(), total),
        accuracy=_ratio(correct.sum(), labeled.sum()),
        classes=classes)


def paired_label_files(pseudo_dir: str, gt_dir: str,
                       suffix: str = '.png') -> List[Tuple[str, str]]:
    """``(pseudo file, ground-truth file)`` for every file ending in
    ``suffix`` under ``pseudo_dir``, the ground truth at the same relative
    path under ``gt_dir`` (the layout ``tools/pseudo_label.py`` writes).
    Sorted; an empty folder or a missing ground truth is an error naming
    the path."""
    if not osp.isdir(pseudo_dir):
        raise FileNotFoundError(f'no pseudo-label folder {pseudo_dir}')
    pairs = []
    for root, _, files in os.walk(pseudo_dir):
        for name in files:
            if not name.endswith(suffix):
                continue
            path = osp.join(root, name)
            gt = osp.join(gt_dir, osp.relpath(path, pseudo_dir))
            if not osp.isfile(gt):
                raise FileNotFoundError(
                    f'pseudo-label {path} has no ground truth at {gt}')
            pairs.append((path, gt))
    if not pairs:
        raise FileNotFoundError(
            f'no pseudo-label files ending in {suffix!r} under {pseudo_dir}')
    return sorted(pairs)


def confusion_of_files(pairs: Iterable[Tuple[str, str]], num_classes: int,
                       ignore_index: int = 255,
                       progress=None) -> np.ndarray:
    """Sum of :func:`pseudo_label_confusion` over ``(pseudo, gt)`` PNG
    pairs (read unchanged, as mmseg reads label maps)."""
    import mmcv
    total = np.zeros((num_classes, num_classes + 1), np.int64)
    for pseudo_path, gt_path in pairs:
        pseudo = mmcv.imread(pseudo_path, flag='unchanged')
        gt = mmcv.imread(gt_path, flag='unchanged')
        try:
            total += pseudo_label_confusion(pseudo, gt, num_classes,
                                            ignore_index)
        except ValueError as e:
            raise ValueError(f'{pseudo_path} against {gt_path}: {e}') from e
        if progress is not None:
            progress.update()
    return total

"""Synthetic street scenes written in the BDD100K on-disk format.

BDD100K ships two image sets labeled for different tasks: the 100K set
(detection boxes, ``labels/det_20/det_{train,val}.json``) and the 10K set
(semantic masks, ``labels/sem_seg/masks/{train,val}/<name>.png``). They
partially overlap by image name, and some 10K-train images are 100K-val
images (454 in the real data), which a merged training set must drop. This
generator reproduces that structure at a small scale so that the merge
(:mod:`mmssl.datasets.converters.bdd100k`) is tested on real file layouts.

Content comes from the synthetic Cityscapes renderer
(:class:`~.cityscapes.CityscapesSceneGenerator`): the same 19 train ids for
the masks (255 ignored) and, for the detection labels, one box per visible
thing instance (person -> ``pedestrian``, rider, car, truck, bus, train,
motorcycle, bicycle) and per 8-connected component of traffic-light /
traffic-sign pixels, dropping boxes with fewer than ``min_box_pixels``
visible pixels. Boxes follow BDD100K / Scalabel ``box2d``: inclusive pixel
coordinates (``x2`` = last column of the object), so the tight extent in
exclusive ``xyxy`` is ``(x1, y1, x2 + 1, y2 + 1)``.

Image sets (``num_train`` / ``num_val``: 100K train / val; ``num_extra``:
10K train; ``num_seg_val``: 10K val), all ``<8 hex>-<8 hex>.jpg`` names:

* the first ``num_seg_in_det_train`` 100K-train images are also 10K-train
  images (same name and pixels; labeled for both tasks);
* the first ``num_seg_in_det_val`` 100K-val images are also 10K-train
  images (the duplicates the merge drops from training);
* ``num_det_unlabeled`` 100K-train images have no ``labels`` key in the
  detection JSON (not annotated for detection; real data: 147); they start
  at the last image shared with 10K train, so one of them (if any image is
  shared) has a mask only;
* the remaining 10K-train images and all 10K-val images appear in no 100K
  set.

Files: ``images/100k/{train,val}/<name>.jpg``,
``images/10k/{train,val}/<name>.jpg``,
``labels/det_20/det_{train,val}.json`` (a list of frames ``{name,
attributes, timestamp, labels: [{id, category, attributes, box2d: {x1, y1,
x2, y2}}]}``, the det_20 schema) and
``labels/sem_seg/masks/{train,val}/<name>.png`` (uint8 train ids).
"""
import os.path as osp
from typing import Dict, List, Tuple

import cv2
import numpy as np

from .cityscapes import LABEL_IDS, TRAIN_ID, CityscapesSceneGenerator
from .common import image_rng, write_jpg, write_json, write_png

#: det_20 categories in the order of the BDD100K detection benchmark.
DET_CATEGORIES = ('pedestrian', 'rider', 'car', 'truck', 'bus', 'train',
                  'motorcycle', 'bicycle', 'traffic light', 'traffic sign')
# Cityscapes thing label -> det_20 category.
_THING_TO_DET = {
    'person': 'pedestrian',
    'rider': 'rider',
    'car': 'car',
    'truck': 'truck',
    'bus': 'bus',
    'train': 'train',
    'motorcycle': 'motorcycle',
    'bicycle': 'bicycle'
}
_LABEL_ID_TO_DET = {
    LABEL_IDS[TRAIN_ID[c]]: d
    for c, d in _THING_TO_DET.items()
}
_STUFF_BOXES = ('traffic light', 'traffic sign')
_DATASET_CODE = 3
# image group codes for the per-image random generators
_G_DET_TRAIN, _G_DET_VAL, _G_SEG_TRAIN, _G_SEG_VAL = 0, 1, 2, 3
_WEATHER = ('clear', 'overcast', 'partly cloudy', 'rainy', 'snowy', 'foggy')
_SCENE = ('city street', 'residential', 'highway', 'parking lot')
_TIME = ('daytime', 'dawn/dusk', 'night')


def _name(seed: int, group: int, i: int) -> str:
    rng = image_rng(seed, _DATASET_CODE, 100 + group, i)
    a, b = rng.integers(0, 2**32, 2)
    return f'{int(a):08x}-{int(b):08x}'


def det_labels(train_ids: np.ndarray, instance_ids: np.ndarray,
               min_box_pixels: int = 4) -> List[dict]:
    """det_20 ``labels`` of one rendered scene (inclusive ``box2d``)."""
    h, w = train_ids.shape
    boxes: List[Tuple[str, int, int, int, int]] = []
    for v in np.unique(instance_ids[instance_ids >= 1000]):
        cat = _LABEL_ID_TO_DET.get(int(v) // 1000)
        if cat is None:
            continue
        ys, xs = np.nonzero(instance_ids == v)
        if ys.size >= min_box_pixels:
            boxes.append((cat, xs.min(), ys.min(), xs.max(), ys.max()))
    for cat in _STUFF_BOXES:
        mask = (train_ids == TRAIN_ID[cat]).astype(np.uint8)
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for x, y, bw, bh, area in stats[1:]:
            if area >= min_box_pixels:
                boxes.append((cat, x, y, x + bw - 1, y + bh - 1))
    labels = []
    for k, (cat, x1, y1, x2, y2) in enumerate(boxes):
        labels.append(
            dict(
                id=str(k),
                attributes=dict(
                    occluded=False,
                    truncated=bool(x1 == 0 or y1 == 0 or x2 == w - 1
                                   or y2 == h - 1),
                    trafficLightColor='NA'),
                category=cat,
                box2d=dict(
                    x1=float(x1), y1=float(y1), x2=float(x2),
                    y2=float(y2))))
    return labels


def _frame(rng: np.random.Generator, name: str, labels) -> dict:
    f = dict(
        name=name + '.jpg',
        attributes=dict(
            weather=_WEATHER[int(rng.integers(len(_WEATHER)))],
            scene=_SCENE[int(rng.integers(len(_SCENE)))],
            timeofday=_TIME[int(rng.integers(len(_TIME)))]),
        timestamp=10000)
    if labels is not None:
        f['labels'] = labels
    return f


def check_layout(num_train: int, num_val: int, num_extra: int,
                 num_seg_val: int, num_seg_in_det_train: int,
                 num_seg_in_det_val: int, num_det_unlabeled: int) -> None:
    """Raise ValueError if the requested overlaps do not fit the sets."""
    if num_seg_in_det_train > num_train:
        raise ValueError(f'num_seg_in_det_train ({num_seg_in_det_train}) > '
                         f'num_train ({num_train}, the 100K train images)')
    if num_seg_in_det_val > num_val:
        raise ValueError(f'num_seg_in_det_val ({num_seg_in_det_val}) > '
                         f'num_val ({num_val}, the 100K val images)')
    if num_seg_in_det_train + num_seg_in_det_val > num_extra:
        raise ValueError(
            f'num_seg_in_det_train + num_seg_in_det_val '
            f'({num_seg_in_det_train} + {num_seg_in_det_val}) > num_extra '
            f'({num_extra}, the 10K train images)')
    start = max(num_seg_in_det_train - 1, 0)
    if start + num_det_unlabeled > num_train:
        raise ValueError(
            f'num_det_unlabeled ({num_det_unlabeled}) does not fit in the '
            f'{num_train} 100K train images starting at image {start}')
    for k, v in dict(num_seg_val=num_seg_val).items():
        if v < 0:
            raise ValueError(f'{k} must be >= 0, got {v}')


def generate_bdd100k(out_dir: str,
                     seed: int = 0,
                     num_train: int = 24,
                     num_val: int = 8,
                     num_extra: int = 12,
                     size=(160, 90),
                     num_seg_val: int = 6,
                     num_seg_in_det_train: int = 5,
                     num_seg_in_det_val: int = 3,
                     num_det_unlabeled: int = 3,
                     min_box_pixels: int = 4) -> Dict[str, int]:
    """Write a synthetic BDD100K tree under ``out_dir`` (the ``bdd100k``
    folder itself); see the module docstring for the sets and overlaps.

    Returns the number of images per set (``det_train``, ``det_val``,
    ``seg_train``, ``seg_val``). Same arguments give byte-identical files.
    """
    check_layout(num_train, num_val, num_extra, num_seg_val,
                 num_seg_in_det_train, num_seg_in_det_val, num_det_unlabeled)
    gen = CityscapesSceneGenerator(*size)
    unl_start = max(num_seg_in_det_train - 1, 0)
    unlabeled = set(range(unl_start, unl_start + num_det_unlabeled))

    def render(group, i):
        rng = image_rng(seed, _DATASET_CODE, group, i)
        return rng, gen.sample(rng)

    def write_image(subdir, name, img):
        write_jpg(osp.join(out_dir, 'images', subdir, name + '.jpg'), img)

    def write_mask(split, name, train_ids):
        write_png(
            osp.join(out_dir, 'labels', 'sem_seg', 'masks', split,
                     name + '.png'), train_ids)

    seg_train_shared = []  # (name, sample) written to 10k/train as well
    for split, group, num, shared in (('train', _G_DET_TRAIN, num_train,
                                       num_seg_in_det_train),
                                      ('val', _G_DET_VAL, num_val,
                                       num_seg_in_det_val)):
        frames = []
        for i in range(num):
            name = _name(seed, group, i)
            rng, s = render(group, i)
            write_image(f'100k/{split}', name, s.img)
            labels = None
            if not (split == 'train' and i in unlabeled):
                labels = det_labels(s.train_ids, s.instance_ids,
                                    min_box_pixels)
            frames.append(_frame(rng, name, labels))
            if i < shared:
                seg_train_shared.append((name, s))
        write_json(
            osp.join(out_dir, 'labels', 'det_20', f'det_{split}.json'),
            frames)
    for name, s in seg_train_shared:
        write_image('10k/train', name, s.img)
        write_mask('train', name, s.train_ids)
    for group, split, num in ((_G_SEG_TRAIN, 'train',
                               num_extra - len(seg_train_shared)),
                              (_G_SEG_VAL, 'val', num_seg_val)):
        for i in range(num):
            name = _name(seed, group, i)
            _, s = render(group, i)
            write_image(f'10k/{split}', name, s.img)
            write_mask(split, name, s.train_ids)
    return dict(
        det_train=num_train,
        det_val=num_val,
        seg_train=num_extra,
        seg_val=num_seg_val)

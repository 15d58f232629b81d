"""Synthetic object images written in the COCO-81 layout of UniMatch.

Content: the synthetic object images of :class:`~.voc.VOCSceneGenerator`
(cluttered background, one to three objects, VOC-like image sizes), their
20 VOC classes mapped to the COCO thing classes of the same meaning
(aeroplane -> airplane, motorbike -> motorcycle, sofa -> couch, tvmonitor
-> tv, ...); background stays 0.

Files (COCO 2017 image names, UniMatch's flat mask folder)::

    train2017/<id:012d>.jpg   val2017/<id:012d>.jpg
    masks/<id:012d>.png       uint8 class indices 0..80 (0 = background)

Train and val ids are disjoint. No 255 is written: whether the official
preprocessed masks contain ignored pixels is not documented (the loaders
accept 255 as the ignore index either way).
"""
import os.path as osp
from typing import Dict, List

import numpy as np

from ..coco81 import COCO81_CLASSES
from .common import image_rng, write_jpg, write_png
from .voc import CLASSES as VOC_CLASSES
from .voc import VOCSceneGenerator

#: COCO name of each VOC class whose name differs.
_RENAMED = {
    'aeroplane': 'airplane',
    'diningtable': 'dining table',
    'motorbike': 'motorcycle',
    'pottedplant': 'potted plant',
    'sofa': 'couch',
    'tvmonitor': 'tv',
}
#: COCO-81 index of each VOC class index (background -> background).
VOC_TO_COCO81 = tuple(
    COCO81_CLASSES.index(_RENAMED.get(c, c)) for c in VOC_CLASSES)
_DATASET_CODE = 5
_SPLITS = {'train': ('train2017', 0), 'val': ('val2017', 1)}


def coco_ids(split: str, num: int) -> List[str]:
    """12-digit COCO-style ids, disjoint between train and val."""
    code = _SPLITS[split][1]
    return [f'{2 * (37 * i + 9) + code:012d}' for i in range(num)]


def generate_coco(out_dir: str,
                  seed: int = 0,
                  num_train: int = 48,
                  num_val: int = 24,
                  num_extra: int = 0,
                  size=(160, 120),
                  vary_size: bool = True) -> Dict[str, int]:
    """Write a synthetic COCO-81 tree into ``out_dir`` (the ``coco``
    folder). Returns images per split.

    The unlabeled pool is the rest of train2017: ``num_extra`` must be 0.
    """
    if num_extra:
        raise ValueError('the COCO layout has no extra image set; '
                         f'num_extra must be 0, got {num_extra}')
    gen = VOCSceneGenerator(*size, vary_size=vary_size)
    lut = np.full(256, 255, np.uint8)
    lut[:len(VOC_TO_COCO81)] = VOC_TO_COCO81
    counts = dict(train=num_train, val=num_val)
    for split, num in counts.items():
        folder, code = _SPLITS[split]
        for i, name in enumerate(coco_ids(split, num)):
            s = gen.sample(image_rng(seed, _DATASET_CODE, code, i))
            write_jpg(osp.join(out_dir, folder, name + '.jpg'), s.img)
            write_png(osp.join(out_dir, 'masks', name + '.png'), lut[s.labels])
    return counts

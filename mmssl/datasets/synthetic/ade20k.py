"""Synthetic scenes written in the ADE20K (ADEChallengeData2016) format.

Content: the synthetic street scenes of
:class:`~.cityscapes.CityscapesSceneGenerator`, their 19 classes mapped to
the ADE20K-150 classes of the same meaning (road, sidewalk, building, wall,
fence, pole, traffic light, signboard, tree, grass, sky, person, car, truck,
bus, minibike, bicycle; rider -> person). Cityscapes' 'train' (a tram) has
no ADE20K class and becomes ADE20K's unlabeled 'other', as do the pixels
Cityscapes ignores.

Files (the names of ADEChallengeData2016)::

    images/{training,validation}/ADE_{train,val}_<k:08d>.jpg   k from 1
    annotations/{training,validation}/ADE_{train,val}_<k:08d>.png

Annotations are uint8 single-channel PNGs in one of two conventions:

* ``'unimatch'`` (default): UniMatch V2's preprocessed annotations,
  0..149 for the 150 classes and 255 for 'other' (ignored); read with
  ``reduce_zero_label=False``;
* ``'challenge'``: the raw ADEChallengeData2016 ones, 0 = 'other', 1..150
  (mmseg's ``ADE20KDataset`` default ``reduce_zero_label=True``).
"""
import os.path as osp
from typing import Dict

import numpy as np

from .cityscapes import CLASSES as CS_CLASSES
from .cityscapes import CityscapesSceneGenerator
from .common import image_rng, write_jpg, write_png

#: ADE20K-150 index (0-based, as after ``reduce_zero_label``) of each
#: Cityscapes class; None: no ADE20K class ('other').
CITYSCAPES_TO_ADE20K = {
    'road': 6,
    'sidewalk': 11,
    'building': 1,
    'wall': 0,
    'fence': 32,
    'pole': 93,
    'traffic light': 136,
    'traffic sign': 43,  # signboard
    'vegetation': 4,  # tree
    'terrain': 9,  # grass
    'sky': 2,
    'person': 12,
    'rider': 12,  # person
    'car': 20,
    'truck': 83,
    'bus': 80,
    'train': None,
    'motorcycle': 116,  # minibike
    'bicycle': 127,
}
ANNOTATION_STYLES = ('unimatch', 'challenge')
_DATASET_CODE = 4
_SPLITS = {'train': ('training', 0), 'val': ('validation', 1)}


def _lut() -> np.ndarray:
    """uint8 lookup: Cityscapes train id -> ADE20K 0-based index / 255."""
    lut = np.full(256, 255, np.uint8)
    for tid, name in enumerate(CS_CLASSES):
        ade = CITYSCAPES_TO_ADE20K[name]
        if ade is not None:
            lut[tid] = ade
    return lut


def generate_ade20k(out_dir: str,
                    seed: int = 0,
                    num_train: int = 48,
                    num_val: int = 24,
                    num_extra: int = 0,
                    size=(128, 96),
                    annotations: str = 'unimatch') -> Dict[str, int]:
    """Write a synthetic ADEChallengeData2016 tree into ``out_dir`` (the
    ``ADEChallengeData2016`` folder itself). Returns images per split.

    ADE20K has no extra image set: ``num_extra`` must be 0.
    """
    if num_extra:
        raise ValueError('ADE20K has no extra image set; num_extra must be '
                         f'0, got {num_extra}')
    if annotations not in ANNOTATION_STYLES:
        raise ValueError(f'annotations must be one of {ANNOTATION_STYLES}, '
                         f'got {annotations!r}')
    gen = CityscapesSceneGenerator(*size)
    lut = _lut()
    counts = dict(train=num_train, val=num_val)
    for split, num in counts.items():
        folder, code = _SPLITS[split]
        for i in range(num):
            s = gen.sample(image_rng(seed, _DATASET_CODE, code, i))
            labels = lut[s.train_ids]
            if annotations == 'challenge':
                labels = np.where(labels == 255, 0, labels + 1).astype(
                    np.uint8)
            name = f'ADE_{split}_{i + 1:08d}'
            write_jpg(osp.join(out_dir, 'images', folder, name + '.jpg'),
                      s.img)
            write_png(
                osp.join(out_dir, 'annotations', folder, name + '.png'),
                labels)
    return counts

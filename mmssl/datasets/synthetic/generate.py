"""Idempotent generation of the synthetic datasets into a data root.

Each dataset folder gets a stamp file (``.mmssl_synthetic.json``) holding the
generator version and every argument. Generating again with identical
arguments is a no-op; different arguments (or ``force``) remove the folders
the generator owns and write them again. A folder that holds data but no
stamp (e.g. the real dataset) is never deleted: generation refuses to write
there unless ``force`` is given, and then only overwrites files.
"""
import json
import os
import os.path as osp
import shutil
from typing import Dict, Iterable, Optional, Sequence

from .ade20k import generate_ade20k
from .bdd100k import generate_bdd100k
from .cityscapes import TINT_PALETTE, generate_cityscapes
from .class_texture import TEXTURE_CODE
from .coco import generate_coco
from .common import STAMP_NAME, write_json
from .voc import generate_voc

# Bump whenever a change in the drawing code changes the output bytes.
GENERATOR_VERSION = 1

DATASET_DIRS = {
    'cityscapes': 'cityscapes',
    'voc': osp.join('VOCdevkit', 'VOC2012'),
    'bdd100k': 'bdd100k',
    'ade20k': osp.join('ade', 'ADEChallengeData2016'),
    'coco': 'coco',
}
# Datasets without an extra (unlabeled-only) image set: num_extra is unused.
_NO_EXTRA = ('ade20k', 'coco')
# Folders each generator writes (and may delete when regenerating).
_OWNED = {
    'cityscapes': ('leftImg8bit', 'gtFine'),
    'voc': ('JPEGImages', 'SegmentationClass', 'SegmentationClassAug',
            osp.join('ImageSets', 'Segmentation')),
    'bdd100k': ('images', osp.join('labels', 'det_20'),
                osp.join('labels', 'sem_seg')),
    'ade20k': ('images', 'annotations'),
    'coco': ('train2017', 'val2017', 'masks'),
}
DEFAULT_SIZE = {
    'cityscapes': (256, 128),
    'voc': (160, 120),
    'bdd100k': (160, 90),
    'ade20k': (128, 96),
    'coco': (160, 120),
}
DEFAULT_COUNTS = dict(num_train=48, num_val=24, num_extra=96)
# BDD100K: num_train / num_val = 100K train / val, num_extra = 10K train.
DATASET_COUNTS = {
    'cityscapes': DEFAULT_COUNTS,
    'voc': DEFAULT_COUNTS,
    'bdd100k': dict(num_train=24, num_val=8, num_extra=12),
    'ade20k': dict(num_train=48, num_val=24),
    'coco': dict(num_train=48, num_val=24),
}
_DEFAULT_EXTRA = {
    'cityscapes': dict(num_cities=3, class_tint=0.0, class_texture=0.0,
                       min_thin_px=0.0),
    'voc': dict(vary_size=True, boundary=0),
    'bdd100k': dict(num_seg_val=6, num_seg_in_det_train=5,
                    num_seg_in_det_val=3, num_det_unlabeled=3,
                    min_box_pixels=4),
    'ade20k': dict(annotations='unimatch'),
    'coco': dict(vary_size=True),
}


def _read_stamp(path: str) -> Optional[dict]:
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def generate_dataset(data_root: str,
                     dataset: str,
                     seed: int = 0,
                     num_train: int = 48,
                     num_val: int = 24,
                     num_extra: int = 96,
                     size: Optional[Sequence[int]] = None,
                     force: bool = False,
                     **extra) -> Dict:
    """Generate one synthetic dataset under ``data_root``.

    Args:
        data_root: e.g. ``data``; Cityscapes goes to ``data/cityscapes``,
            VOC to ``data/VOCdevkit/VOC2012``.
        dataset: ``'cityscapes'``, ``'voc'``, ``'bdd100k'`` (to
            ``data/bdd100k``), ``'ade20k'`` (to
            ``data/ade/ADEChallengeData2016``) or ``'coco'`` (COCO-81, to
            ``data/coco``).
        seed: same seed and arguments give byte-identical files.
        num_train, num_val, num_extra: images per split (``num_extra``:
            Cityscapes ``train_extra`` images; VOC aug-only images;
            BDD100K: ``num_train`` / ``num_val`` are the 100K train / val
            images, ``num_extra`` the 10K train images; ADE20K and COCO
            have no extra set and ignore ``num_extra``).
        size: ``(W, H)``; defaults to 256x128 (Cityscapes) / 160x120 (VOC,
            COCO) / 160x90 (BDD100K) / 128x96 (ADE20K).
        force: regenerate even if the stamp matches.
        **extra: ``num_cities``, ``class_tint``, ``class_texture``,
            ``min_thin_px``
            (Cityscapes), ``vary_size`` / ``boundary``
            (VOC), ``num_seg_val``, ``num_seg_in_det_train``,
            ``num_seg_in_det_val``, ``num_det_unlabeled``,
            ``min_box_pixels`` (BDD100K, see
            :mod:`mmssl.datasets.synthetic.bdd100k`), ``annotations``
            (ADE20K: ``'unimatch'`` or ``'challenge'``), ``vary_size``
            (COCO).

    Returns:
        dict with ``root`` (dataset folder), ``skipped`` (bool) and
        ``counts`` (images per split).
    """
    if dataset not in DATASET_DIRS:
        raise ValueError(f'unknown dataset {dataset!r}; expected one of '
                         f'{sorted(DATASET_DIRS)}')
    for k, v in dict(
            num_train=num_train, num_val=num_val, num_extra=num_extra).items():
        if int(v) < 0:
            raise ValueError(f'{k} must be >= 0, got {v}')
    if dataset in _NO_EXTRA:
        num_extra = 0
    size = tuple(int(s) for s in (size or DEFAULT_SIZE[dataset]))
    if len(size) != 2 or min(size) < 8:
        raise ValueError(f'size must be (W, H) with both >= 8, got {size}')
    extra = {**_DEFAULT_EXTRA[dataset], **extra}
    unknown = set(extra) - set(_DEFAULT_EXTRA[dataset])
    if unknown:
        raise TypeError(f'unexpected arguments for {dataset}: '
                        f'{sorted(unknown)}')
    root = osp.join(data_root, DATASET_DIRS[dataset])
    for cue in ('class_tint', 'class_texture', 'min_thin_px'):
        if not extra.get(cue, 1):
            # the default (none) keeps the stamps of data made before the
            # option existed
            extra.pop(cue)
    args = dict(
        seed=int(seed),
        num_train=int(num_train),
        num_val=int(num_val),
        num_extra=int(num_extra),
        size=list(size),
        **extra)
    if extra.get('class_tint'):
        # tinted data is made again when the palette changes
        args['tint_palette'] = TINT_PALETTE
    if extra.get('class_texture'):
        # and textured data when the texture code changes
        args['texture_code'] = TEXTURE_CODE
    stamp = dict(
        generator=f'mmssl.datasets.synthetic.{dataset}',
        version=GENERATOR_VERSION,
        args=args)
    stamp_path = osp.join(root, STAMP_NAME)
    old = _read_stamp(stamp_path)
    if old == stamp and not force:
        return dict(root=root, skipped=True, counts=_counts(dataset, args))
    owned = [osp.join(root, d) for d in _OWNED[dataset]]
    if old is not None:
        for d in owned:
            shutil.rmtree(d, ignore_errors=True)
    elif any(osp.exists(d) for d in owned) and not force:
        raise FileExistsError(
            f'{root} already holds data that was not made by this generator '
            f'(no {STAMP_NAME}); refusing to write there. Use another output '
            f'folder, or force=True (--force) to overwrite files in place.')
    if osp.exists(stamp_path):
        os.remove(stamp_path)
    fn = dict(
        cityscapes=generate_cityscapes,
        voc=generate_voc,
        bdd100k=generate_bdd100k,
        ade20k=generate_ade20k,
        coco=generate_coco)[dataset]
    counts = fn(
        root,
        seed=seed,
        num_train=num_train,
        num_val=num_val,
        num_extra=num_extra,
        size=size,
        **extra)
    write_json(stamp_path, stamp)  # last: an interrupted run regenerates
    return dict(root=root, skipped=False, counts=counts)


def _counts(dataset, args):
    if dataset == 'bdd100k':
        return dict(
            det_train=args['num_train'],
            det_val=args['num_val'],
            seg_train=args['num_extra'],
            seg_val=args['num_seg_val'])
    if dataset == 'cityscapes':
        return dict(
            train=args['num_train'],
            val=args['num_val'],
            train_extra=args['num_extra'])
    if dataset in _NO_EXTRA:
        return dict(train=args['num_train'], val=args['num_val'])
    return dict(
        train=args['num_train'], val=args['num_val'], extra=args['num_extra'])


def generate_datasets(data_root: str,
                      datasets: Iterable[str] = ('cityscapes', 'voc'),
                      **kwargs) -> Dict[str, Dict]:
    """:func:`generate_dataset` for each name in ``datasets``."""
    return {d: generate_dataset(data_root, d, **kwargs) for d in datasets}

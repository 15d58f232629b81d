"""Cityscapes image sets without fine labels, as multi-task annotation files.

The multi-task paper's full-Cityscapes experiments (section 4.2, table 4)
add two unlabeled sets to the 2,975 ``train`` images:

* ``train_extra``: 19,998 images (``leftImg8bit/train_extra/<city>/``); their
  coarse labels are not used (the paper found them of no value);
* ``sequence``: the other frames of the ``train`` videos
  (``leftImg8bit_sequence/train/<city>/``, 30 frames per ``train`` sample),
  *without* the annotated frames themselves, which are already in
  ``train``: 89,250 - 2,975 = 86,275 images.

:func:`convert_cityscapes_unlabeled` lists them and writes
``<out_dir>/multitask_images_<set>.json`` in the :mod:`.coco_multitask`
format: one entry per image (``file_name`` relative to the set's image
folder, ``width`` / ``height`` from the file header), ``det_labeled=False``,
no ``seg_file`` and no annotations, so ``CityscapesMultiTaskDataset`` reads
it as samples labeled for no task (``subset='none'``) with the same
metainfo as ``train``, and the set can be the unlabeled part of a
``SemiDataset`` or a ``ConcatDataset`` member.
"""
import glob
import os.path as osp
from multiprocessing import Pool
from typing import Dict, Optional, Sequence


from .cityscapes_boxes import (CITYSCAPES_SEG_CLASSES,
                               CITYSCAPES_THING_CLASSES,
                               CITYSCAPES_THING_LABEL_IDS, IMG_SUFFIX)
from .coco_multitask import image_size, multitask_coco, write_json_atomic

#: set name -> image folder under the cityscapes root
UNLABELED_SETS = {
    'train_extra': 'leftImg8bit/train_extra',
    'sequence': 'leftImg8bit_sequence/train',
}
#: the annotated frames that ``sequence`` must not repeat
SEQUENCE_EXCLUDES = 'leftImg8bit/train'


def _rel_images(folder: str) -> list:
    files = sorted(glob.glob(osp.join(folder, '*', '*' + IMG_SUFFIX)))
    return [osp.relpath(f, folder).replace(osp.sep, '/') for f in files]


def unlabeled_set(data_root: str, name: str, nproc: int = 1) -> dict:
    """The annotation dict of one unlabeled set (not written)."""
    if name not in UNLABELED_SETS:
        raise ValueError(f'unknown Cityscapes unlabeled set {name!r}; '
                         f'expected one of {sorted(UNLABELED_SETS)}')
    folder = osp.join(data_root, UNLABELED_SETS[name])
    if not osp.isdir(folder):
        raise FileNotFoundError(
            f'Cityscapes {name} image folder {folder} does not exist')
    names = _rel_images(folder)
    excluded = 0
    if name == 'sequence':
        train = osp.join(data_root, SEQUENCE_EXCLUDES)
        if not osp.isdir(train):
            raise FileNotFoundError(
                f'{train} does not exist: the sequence set excludes the '
                'annotated train frames, so it needs the train images')
        annotated = set(_rel_images(train))
        kept = [n for n in names if n not in annotated]
        excluded = len(names) - len(kept)
        names = kept
    if not names:
        raise ValueError(f'no *{IMG_SUFFIX} images under {folder}/<city>/'
                         + (' besides the train frames' if excluded else ''))
    paths = [osp.join(folder, n) for n in names]
    if nproc > 1:
        with Pool(nproc) as pool:
            sizes = pool.map(image_size, paths, chunksize=64)
    else:
        sizes = [image_size(p) for p in paths]
    images = [
        dict(id=i, file_name=n, width=int(w), height=int(h),
             det_labeled=False)
        for i, (n, (w, h)) in enumerate(zip(names, sizes))
    ]
    categories = [
        dict(id=i, name=n)
        for i, n in zip(CITYSCAPES_THING_LABEL_IDS, CITYSCAPES_THING_CLASSES)
    ]
    ann = multitask_coco(
        images, [], categories, CITYSCAPES_SEG_CLASSES,
        f'Cityscapes {name}: images of {UNLABELED_SETS[name]} labeled for '
        'no task' + (f' ({excluded} annotated train frames excluded)'
                     if name == 'sequence' else ''))
    ann['info']['excluded_train_frames'] = excluded
    return ann


def convert_cityscapes_unlabeled(data_root: str,
                                 sets: Sequence[str] = ('train_extra',
                                                        'sequence'),
                                 out_dir: Optional[str] = None,
                                 nproc: int = 1) -> Dict[str, dict]:
    """Write ``<out_dir>/multitask_images_<set>.json`` for each set.

    Returns:
        set -> ``dict(path, num_images, excluded_train_frames)``.
    """
    out_dir = out_dir or osp.join(data_root, 'annotations')
    result = {}
    for name in sets:
        ann = unlabeled_set(data_root, name, nproc=nproc)
        path = osp.join(out_dir, f'multitask_images_{name}.json')
        write_json_atomic(path, ann)
        result[name] = dict(
            path=path,
            num_images=len(ann['images']),
            excluded_train_frames=ann['info']['excluded_train_frames'])
    return result

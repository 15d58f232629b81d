"""Cityscapes detection boxes from the instance maps.

Cityscapes has no box annotations; the multi-task paper derives them from
the fine instance masks (``*_gtFine_instanceIds.png``, uint16: ``labelId *
1000 + k`` for instance ``k`` of a thing class, the plain ``labelId`` for
stuff and for *group* regions of a thing class, e.g. a crowd of persons).

For each of the 8 evaluated thing classes (person, rider, car, truck, bus,
train, motorcycle, bicycle; caravan and trailer are ignored in evaluation
and skipped, as in mmdet's converter):

* every instance id ``>= 1000`` gives one box, ``iscrowd=0``;
* every group id (``< 1000``, equal to a thing labelId) gives one box around
  all its pixels, ``iscrowd=1``: an ignore region (mmdet ``ignore_flag=1``,
  COCO crowd), like mmdet's ``tools/dataset_converters/cityscapes.py``.

Box convention: the tight extent of the mask, ``x1`` = first column, ``x2``
= last column + 1 (exclusive), likewise for rows; written as COCO
``[x1, y1, x2 - x1, y2 - y1]`` (what pycocotools' ``toBbox`` gives for the
mask). ``area`` is the mask's pixel count. Category ids are the Cityscapes
label ids (24 person ... 33 bicycle), as in mmdet's converter.

Output per split: ``<out_dir>/multitask_gtFine_<split>.json`` in the format
of :mod:`.coco_multitask`: ``file_name`` relative to ``leftImg8bit/<split>``
and ``seg_file`` (the ``*_gtFine_labelTrainIds.png`` map) relative to
``gtFine/<split>``; every image is labeled for both tasks.
"""
import glob
import os.path as osp
from multiprocessing import Pool
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np

from .coco_multitask import multitask_coco, write_json_atomic

CITYSCAPES_THING_CLASSES = ('person', 'rider', 'car', 'truck', 'bus', 'train',
                            'motorcycle', 'bicycle')
#: Cityscapes labelId of each thing class (cityscapesscripts labels.py).
CITYSCAPES_THING_LABEL_IDS = (24, 25, 26, 27, 28, 31, 32, 33)
CITYSCAPES_SEG_CLASSES = ('road', 'sidewalk', 'building', 'wall', 'fence',
                          'pole', 'traffic light', 'traffic sign',
                          'vegetation', 'terrain', 'sky', 'person', 'rider',
                          'car', 'truck', 'bus', 'train', 'motorcycle',
                          'bicycle')
IMG_SUFFIX = '_leftImg8bit.png'
INST_SUFFIX = '_gtFine_instanceIds.png'
SEG_SUFFIX = '_gtFine_labelTrainIds.png'


def read_instance_map(path: str) -> np.ndarray:
    """Read an ``*_instanceIds.png`` as a 2-D integer array; errors name
    the file."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'instance map {path} does not exist')
    inst = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if inst is None:
        raise ValueError(f'instance map {path} cannot be decoded as an image')
    if inst.ndim != 2 or inst.dtype.kind not in 'ui':
        raise ValueError(
            f'instance map {path} has shape {inst.shape} and dtype '
            f'{inst.dtype}; expected a single-channel uint16 map of '
            'labelId * 1000 + k (Cityscapes *_gtFine_instanceIds.png)')
    return inst


def cityscapes_boxes_from_instance_map(inst: np.ndarray) -> List[dict]:
    """Boxes of one instance map, sorted by instance id.

    Returns a list of ``dict(instance_id, category_id, bbox=[x, y, w, h],
    area, iscrowd)`` (see the module docstring for the convention).
    """
    h, w = inst.shape
    flat = inst.ravel().astype(np.int64)
    lid = np.where(flat >= 1000, flat // 1000, flat)
    sel = np.flatnonzero(np.isin(lid, CITYSCAPES_THING_LABEL_IDS))
    if sel.size == 0:
        return []
    vals = flat[sel]
    order = np.argsort(vals, kind='stable')
    vals, sel = vals[order], sel[order]
    ys, xs = sel // w, sel % w
    starts = np.flatnonzero(np.r_[True, vals[1:] != vals[:-1]])
    x1 = np.minimum.reduceat(xs, starts)
    x2 = np.maximum.reduceat(xs, starts) + 1
    y1 = np.minimum.reduceat(ys, starts)
    y2 = np.maximum.reduceat(ys, starts) + 1
    area = np.diff(np.r_[starts, vals.size])
    out = []
    for k, s in enumerate(starts):
        v = int(vals[s])
        out.append(
            dict(
                instance_id=v,
                category_id=v // 1000 if v >= 1000 else v,
                bbox=[
                    int(x1[k]),
                    int(y1[k]),
                    int(x2[k] - x1[k]),
                    int(y2[k] - y1[k])
                ],
                area=int(area[k]),
                iscrowd=int(v < 1000)))
    return out


def _image_entry(args):
    img_path, img_dir, gt_dir, require_seg = args
    rel = osp.relpath(img_path, img_dir).replace(osp.sep, '/')
    stem = rel[:-len(IMG_SUFFIX)]
    inst_path = osp.join(gt_dir, stem + INST_SUFFIX)
    seg_path = osp.join(gt_dir, stem + SEG_SUFFIX)
    if require_seg and not osp.isfile(seg_path):
        raise FileNotFoundError(
            f'semantic label {seg_path} does not exist (create the '
            '*_labelTrainIds.png maps with mmseg '
            'tools/dataset_converters/cityscapes.py, or pass '
            'require_seg=False / --no-seg)')
    inst = read_instance_map(inst_path)
    image = dict(
        file_name=rel,
        height=int(inst.shape[0]),
        width=int(inst.shape[1]),
        det_labeled=True)
    if osp.isfile(seg_path):
        image['seg_file'] = stem + SEG_SUFFIX
    return image, cityscapes_boxes_from_instance_map(inst)


def convert_split(data_root: str,
                  split: str,
                  img_dir: str = 'leftImg8bit',
                  gt_dir: str = 'gtFine',
                  require_seg: bool = True,
                  nproc: int = 1) -> dict:
    """The annotation dict of one split (not written)."""
    img_root = osp.join(data_root, img_dir, split)
    gt_root = osp.join(data_root, gt_dir, split)
    if not osp.isdir(img_root):
        raise FileNotFoundError(
            f'Cityscapes image folder {img_root} does not exist')
    files = sorted(glob.glob(osp.join(img_root, '*', '*' + IMG_SUFFIX)))
    if not files:
        raise ValueError(f'no *{IMG_SUFFIX} images under {img_root}/<city>/')
    jobs = [(f, img_root, gt_root, require_seg) for f in files]
    if nproc > 1:
        with Pool(nproc) as pool:
            entries = pool.map(_image_entry, jobs, chunksize=8)
    else:
        entries = [_image_entry(j) for j in jobs]
    images, annotations = [], []
    for img_id, (image, boxes) in enumerate(entries):
        images.append(dict(id=img_id, **image))
        for b in boxes:
            annotations.append(
                dict(
                    id=len(annotations) + 1,
                    image_id=img_id,
                    category_id=b['category_id'],
                    bbox=b['bbox'],
                    area=b['area'],
                    iscrowd=b['iscrowd']))
    categories = [
        dict(id=i, name=n)
        for i, n in zip(CITYSCAPES_THING_LABEL_IDS, CITYSCAPES_THING_CLASSES)
    ]
    return multitask_coco(
        images, annotations, categories, CITYSCAPES_SEG_CLASSES,
        f'Cityscapes {split}: boxes of the 8 thing classes from '
        f'*{INST_SUFFIX} (tight mask extent, x2/y2 exclusive; group '
        'regions as iscrowd=1)')


def convert_cityscapes_boxes(data_root: str,
                             splits: Sequence[str] = ('train', 'val'),
                             out_dir: Optional[str] = None,
                             require_seg: bool = True,
                             nproc: int = 1) -> Dict[str, dict]:
    """Write ``<out_dir>/multitask_gtFine_<split>.json`` for each split.

    Args:
        data_root: the ``cityscapes`` folder (``leftImg8bit/``,
            ``gtFine/``).
        out_dir: defaults to ``<data_root>/annotations``.
        require_seg: every image must have its ``*_labelTrainIds.png``.
        nproc: worker processes for reading the instance maps.

    Returns:
        split -> ``dict(path, num_images, num_boxes, num_crowd)``.
    """
    out_dir = out_dir or osp.join(data_root, 'annotations')
    result = {}
    for split in splits:
        ann = convert_split(
            data_root, split, require_seg=require_seg, nproc=nproc)
        path = osp.join(out_dir, f'multitask_gtFine_{split}.json')
        write_json_atomic(path, ann)
        anns = ann['annotations']
        result[split] = dict(
            path=path,
            num_images=len(ann['images']),
            num_boxes=sum(1 for a in anns if not a['iscrowd']),
            num_crowd=sum(1 for a in anns if a['iscrowd']))
    return result

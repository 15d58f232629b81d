"""The multi-task annotation file: COCO detection JSON plus task fields.

One JSON per split, readable by mmdet's ``CocoDataset`` / ``CocoMetric``
(extra keys are ignored by the COCO API) and by
:class:`~mmssl.datasets.MultiTaskDataset`::

    {"info": {"description": ..., "format": "mmssl-multitask-coco/1"},
     "categories": [{"id": int, "name": str}, ...],  # thing classes, in order
     "seg_classes": [str, ...],                      # semantic classes
     "images": [{"id": int, "file_name": str,       # rel. to the image prefix
                 "width": int, "height": int,
                 "det_labeled": bool,                # has detection labels
                 "seg_file": str}, ...],             # rel. to the label prefix;
                                                     # absent: no seg. label
     "annotations": [{"id": int, "image_id": int, "category_id": int,
                      "bbox": [x, y, w, h], "area": float,
                      "iscrowd": 0 | 1}, ...]}

Boxes: ``bbox = [x1, y1, x2 - x1, y2 - y1]`` with ``x2`` exclusive (one past
the last pixel column of the object), as pycocotools' ``toBbox`` of a mask.
``iscrowd=1`` boxes are ignore regions (mmdet ``ignore_flag=1``).
"""
import json
import os
import os.path as osp
import tempfile
from typing import Tuple

from PIL import Image

FORMAT = 'mmssl-multitask-coco/1'


def write_json_atomic(path: str, obj) -> None:
    """Write ``obj`` as JSON to ``path`` through a temporary file in the
    same folder and an atomic rename, so a reader never sees half a file."""
    d = osp.dirname(osp.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix='.' + osp.basename(path) + '.', suffix='.tmp', dir=d)
    try:
        with os.fdopen(fd, 'w') as f:
            json.dump(obj, f)
            f.write('\n')
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


def read_json(path: str, what: str):
    """Load a JSON file; ``FileNotFoundError`` / ``ValueError`` name it and
    say what it should be (``what``)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what} {path} does not exist')
    try:
        with open(path) as f:
            return json.load(f)
    except (ValueError, UnicodeDecodeError) as e:
        raise ValueError(f'{what} {path} is not valid JSON: {e}') from None


def multitask_coco(images, annotations, categories, seg_classes,
                   description: str) -> dict:
    """Assemble one annotation file (see the module docstring)."""
    return dict(
        info=dict(description=description, format=FORMAT),
        categories=list(categories),
        seg_classes=list(seg_classes),
        images=list(images),
        annotations=list(annotations))


def image_size(path: str) -> Tuple[int, int]:
    """``(width, height)`` from the image file's header (PIL reads no
    pixels); a file PIL cannot read is a ValueError naming it."""
    try:
        with Image.open(path) as im:
            return im.size
    except Exception as e:  # PIL raises many types
        raise ValueError(f'cannot read image {path}: {e}') from None

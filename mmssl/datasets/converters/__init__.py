"""Converters from raw dataset annotations to the multi-task annotation
files read by :class:`~mmssl.datasets.MultiTaskDataset` (COCO JSON with
per-image task fields, see :mod:`.coco_multitask`)."""
from .bdd100k import BDD100K_DET_CLASSES, convert_bdd100k
from .cityscapes_boxes import (CITYSCAPES_THING_CLASSES,
                               cityscapes_boxes_from_instance_map,
                               convert_cityscapes_boxes)
from .cityscapes_unlabeled import (UNLABELED_SETS,
                                   convert_cityscapes_unlabeled)
from .coco_multitask import read_json, write_json_atomic

__all__ = [
    'convert_cityscapes_boxes', 'cityscapes_boxes_from_instance_map',
    'convert_cityscapes_unlabeled', 'UNLABELED_SETS', 'convert_bdd100k', 'read_json', 'write_json_atomic',
    'CITYSCAPES_THING_CLASSES', 'BDD100K_DET_CLASSES'
]

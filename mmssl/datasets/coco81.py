"""COCO with 81 classes (background + the 80 thing classes), the
semi-supervised COCO benchmark of PseudoSeg, UniMatch and UniMatch V2.

Layout (LiheYoung/UniMatch-V2 README.md, splits/coco/val.txt)::

    <root>/train2017/<id>.jpg   <root>/val2017/<id>.jpg
    <root>/masks/<id>.png       one flat folder for train and val

The masks are UniMatch's preprocessed ones: single-channel class indices,
0 = background, 1..80 the thing classes in the order of COCO's category
ids, 255 ignored (``configs/coco.yaml``: ``nclass: 81``, ``ignore_index:
255``). Class names follow the official ``util/classes.py``, whose class 0
is called 'void'; it is a class (predicted and scored), here
'background'.
"""
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from .checked_datasets import CheckedSegDatasetMixin

COCO81_CLASSES = (
    'background', 'person', 'bicycle', 'car', 'motorcycle', 'airplane',
    'bus', 'train', 'truck', 'boat', 'traffic light', 'fire hydrant',
    'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse',
    'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe', 'backpack',
    'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee', 'skis', 'snowboard',
    'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard',
    'surfboard', 'tennis racket', 'bottle', 'wine glass', 'cup', 'fork',
    'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
    'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair',
    'couch', 'potted plant', 'bed', 'dining table', 'toilet', 'tv', 'laptop',
    'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven',
    'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase', 'scissors',
    'teddy bear', 'hair drier', 'toothbrush')


def _palette(n: int):
    """The VOC bit-interleaved colour map (background black)."""
    pal = []
    for i in range(n):
        c, rgb = i, [0, 0, 0]
        for j in range(8):
            for k in range(3):
                rgb[k] |= ((c >> k) & 1) << (7 - j)
            c >>= 3
        pal.append(rgb)
    return pal


@DATASETS.register_module()
class SemiCOCO81Dataset(CheckedSegDatasetMixin, BaseSegDataset):
    """COCO-81 (``<id>.jpg`` images, ``<id>.png`` masks) with the early
    data checks of the other ``Semi*Dataset`` classes.

    Also accepts ``check_files`` (default True) and a ``data_prefix``
    without ``seg_map_path`` (unlabeled sets).
    """
    METAINFO = dict(classes=COCO81_CLASSES, palette=_palette(81))
    example_stem = '000000000139'
    example_ann_file = 'splits/1-512/split0/labeled.txt'

    def __init__(self,
                 img_suffix='.jpg',
                 seg_map_suffix='.png',
                 reduce_zero_label=False,
                 **kwargs) -> None:
        super().__init__(
            img_suffix=img_suffix,
            seg_map_suffix=seg_map_suffix,
            reduce_zero_label=reduce_zero_label,
            **kwargs)

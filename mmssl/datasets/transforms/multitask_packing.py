"""Pack a multi-task sample: image, boxes and segmentation map together.

mmdet's ``PackDetInputs`` packs boxes into ``gt_instances`` (crowd boxes
into ``ignored_instances``) but the label map as ``PixelData(sem_seg=...)``;
mmseg heads and ``SegDataPreProcessor`` read ``gt_sem_seg.data``.
``PackMultiTaskInputs`` is ``PackDetInputs`` with the map packed the mmseg
way (``PixelData(data=LongTensor[1, H, W])``), in a ``DetDataSample`` (which
has ``gt_instances``, ``gt_sem_seg``, ``pred_instances`` and
``pred_sem_seg``), and meta keys that carry the per-task flags, the COCO
image id (``CocoMetric``) and the view geometry.
"""
import numpy as np
import torch
from mmdet.datasets.transforms import PackDetInputs
from mmengine.structures import PixelData

from mmseg.registry import TRANSFORMS

MULTITASK_META_KEYS = ('img_id', 'img_path', 'seg_map_path', 'ori_shape',
                       'img_shape', 'pad_shape', 'scale_factor', 'flip',
                       'flip_direction', 'reduce_zero_label',
                       'homography_matrix', 'seg_labeled', 'det_labeled',
                       'is_labeled')


@TRANSFORMS.register_module()
class PackMultiTaskInputs(PackDetInputs):
    """``PackDetInputs`` with an mmseg-style ``gt_sem_seg``.

    Args:
        meta_keys (tuple[str]): copied into the data sample's metainfo when
            present. Defaults to :data:`MULTITASK_META_KEYS`; add
            ``'instances'`` for ``CocoMetric(ann_file=None)``.
    """

    def __init__(self, meta_keys=MULTITASK_META_KEYS) -> None:
        super().__init__(meta_keys=meta_keys)

    def transform(self, results: dict) -> dict:
        seg = results.pop('gt_seg_map', None)
        packed = super().transform(results)
        if seg is not None:
            results['gt_seg_map'] = seg
            data = torch.from_numpy(seg[None].astype(np.int64))
            packed['data_samples'].gt_sem_seg = PixelData(data=data)
        return packed

"""Load each task's labels of a multi-task sample, or an empty stand-in.

A sample of :class:`~mmssl.datasets.MultiTaskDataset` may be labeled for
segmentation, detection, both or neither (``seg_labeled`` /
``det_labeled``). One pipeline must handle all four, and the stock loaders
cannot: mmseg ``LoadAnnotations`` needs a ``seg_map_path``.
``LoadMultiTaskAnnotations`` composes the stock loaders per sample:

* segmentation labeled: mmssl ``LoadCheckedAnnotations`` (mmseg
  ``LoadAnnotations`` + range / size checks); otherwise ``LoadEmptySegMap``
  (a map of 254 = inside the view, no class; geometric transforms pad with
  255), so ``SegDataPreProcessor`` can stack a map for every sample;
* detection: mmdet ``LoadAnnotations(with_bbox=True, with_label=True)`` on
  ``instances`` (empty for a sample unlabeled for detection, giving
  ``gt_bboxes`` of shape (0, 4)).

It sets ``results['seg_labeled']``, ``results['det_labeled']`` and
``results['is_labeled']`` (labeled for at least one task).
"""
from typing import Optional

from mmcv.transforms import BaseTransform
from mmdet.datasets.transforms import LoadAnnotations as MMDetLoadAnnotations

from mmseg.registry import TRANSFORMS
from .loading import (UNLABELED_IN_VIEW, LoadCheckedAnnotations,
                      LoadEmptySegMap)


@TRANSFORMS.register_module()
class LoadMultiTaskAnnotations(BaseTransform):
    """Segmentation map (or an empty one) and boxes of a multi-task sample.

    Args:
        num_classes (int, optional): see ``LoadCheckedAnnotations``
            (default: ``results['num_classes']`` set by the dataset).
        ignore_index (int): segmentation ignore label. Defaults to 255.
        unlabeled_seg_value (int): fill of the empty map. Defaults to 254.
        box_type (str): mmdet box type of ``gt_bboxes``. Defaults to 'hbox'.
        backend_args (dict, optional): file backend of the label maps.
    """

    def __init__(self,
                 num_classes: Optional[int] = None,
                 ignore_index: int = 255,
                 unlabeled_seg_value: int = UNLABELED_IN_VIEW,
                 box_type: str = 'hbox',
                 backend_args: Optional[dict] = None) -> None:
        self.seg_loader = LoadCheckedAnnotations(
            num_classes=num_classes,
            ignore_index=ignore_index,
            backend_args=backend_args)
        self.empty_seg = LoadEmptySegMap(in_view_value=unlabeled_seg_value)
        self.box_loader = MMDetLoadAnnotations(
            with_bbox=True, with_label=True, box_type=box_type)

    def transform(self, results: dict) -> dict:
        seg = results.get('seg_labeled', 'seg_map_path' in results)
        det = results.get('det_labeled', 'instances' in results)
        if seg:
            results = self.seg_loader(results)
        else:
            results = self.empty_seg(results)
        results.setdefault('instances', [])
        results = self.box_loader(results)
        results['seg_labeled'] = bool(seg)
        results['det_labeled'] = bool(det)
        results['is_labeled'] = bool(seg or det)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(seg={self.seg_loader!r}, '
                f'empty={self.empty_seg!r}, boxes={self.box_loader!r})')

"""Map segmentation label ids through a table (e.g. Cityscapes train ids to
its 7 categories for the CPU pretraining stand-in)."""
from typing import Dict, Optional, Sequence, Union

import numpy as np
from mmcv.transforms import BaseTransform

from mmseg.registry import TRANSFORMS

# Cityscapes train id -> category (cityscapesscripts labels.py 'category'):
# flat 0, construction 1, object 2, nature 3, sky 4, human 5, vehicle 6.
CITYSCAPES_CATEGORIES = ('flat', 'construction', 'object', 'nature', 'sky',
                         'human', 'vehicle')
CITYSCAPES_TRAIN_ID_TO_CATEGORY = (0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 5, 6,
                                   6, 6, 6, 6, 6)


@TRANSFORMS.register_module()
class RemapLabels(BaseTransform):
    """Replace every label ``i < len(mapping)`` of ``results['gt_seg_map']``
    by ``mapping[i]``; ``ignore_index`` stays, any other value fails (it
    would silently become a wrong class).

    Args:
        mapping: the new id of each old id ``0 .. len(mapping) - 1``, or
            ``'cityscapes_categories'`` for Cityscapes' 19 train ids -> its
            7 categories.
        ignore_index: the label left unchanged.
    """

    def __init__(self,
                 mapping: Union[str, Sequence[int]],
                 ignore_index: int = 255):
        if mapping == 'cityscapes_categories':
            mapping = CITYSCAPES_TRAIN_ID_TO_CATEGORY
        elif isinstance(mapping, str):
            raise ValueError(f"RemapLabels: unknown mapping '{mapping}'; "
                             "expected 'cityscapes_categories' or a list "
                             'of ints')
        if not len(mapping) or not all(
                isinstance(m, int) and 0 <= m <= 255 for m in mapping):
            raise ValueError('RemapLabels: mapping must be a non-empty list '
                             f'of ints in 0..255, got {mapping!r}')
        self.mapping = tuple(mapping)
        self.ignore_index = ignore_index
        lut = np.full(256, -1, np.int32)
        lut[:len(self.mapping)] = self.mapping
        lut[ignore_index] = ignore_index
        self._lut = lut

    def transform(self, results: dict) -> Optional[Dict]:
        seg = results['gt_seg_map']
        out = self._lut[seg]
        if (out < 0).any():
            bad = np.unique(seg[out < 0]).tolist()
            raise ValueError(
                f'RemapLabels: label ids {bad} in '
                f"{results.get('seg_map_path', 'the label map')} are "
                f'outside the mapping (0..{len(self.mapping) - 1}) and not '
                f'ignore_index {self.ignore_index}')
        results['gt_seg_map'] = out.astype(seg.dtype)
        return results

    def __repr__(self):
        return (f'{type(self).__name__}(mapping={self.mapping}, '
                f'ignore_index={self.ignore_index})')

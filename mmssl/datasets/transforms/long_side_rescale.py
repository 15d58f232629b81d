"""Random rescale relative to each image's own long side, as UniMatch /
UniMatch V2 draw it for images of any size."""
from typing import Sequence

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness

from mmseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RandomLongSideRescale(BaseTransform):
    """Rescale so that the long side ``L`` becomes an integer drawn
    uniformly from ``[int(L * lo), int(L * hi)]``, keeping the aspect ratio
    (the short side rounded half up).

    This is ``resize(img, mask, (0.5, 2.0))`` of LiheYoung/UniMatch-V2
    dataset/transform.py:43-56 (``random.randint`` bounds, ``int(x + 0.5)``
    for the short side). mmcv's ``RandomResize`` draws a size relative to a
    fixed ``scale`` instead, which matches only when every image has the
    same long side (VOC's 500, Cityscapes' 2048); ADE20K's and COCO's vary.

    The resize itself is ``resize_type`` with ``scale=(n, n)``,
    ``keep_ratio=True`` (mmcv ``rescale_size``: factor ``n / L``, sides
    ``int(s * n / L + 0.5)``); the default ``ExactResize`` records
    ``homography_matrix`` as ``SemiViews`` requires.

    Args:
        ratio_range (tuple[float, float]): ``(lo, hi)``.
        resize_type (str): a registered resize taking ``scale`` and
            ``keep_ratio``. Defaults to ``'ExactResize'``.
        **resize_kwargs: more arguments of the resize.
    """

    def __init__(self,
                 ratio_range: Sequence[float] = (0.5, 2.0),
                 resize_type: str = 'ExactResize',
                 **resize_kwargs) -> None:
        lo, hi = (float(r) for r in ratio_range)
        if not 0 < lo <= hi:
            raise ValueError('ratio_range must be (lo, hi) with 0 < lo <= '
                             f'hi, got {tuple(ratio_range)}')
        self.ratio_range = (lo, hi)
        self.resize_cfg = dict(
            type=resize_type, scale=(1, 1), keep_ratio=True, **resize_kwargs)
        self.resize = TRANSFORMS.build(self.resize_cfg)

    @cache_randomness
    def _random_long_side(self, long_side: int) -> int:
        lo, hi = self.ratio_range
        a, b = int(long_side * lo), int(long_side * hi)
        return max(1, int(np.random.randint(a, b + 1)))

    def transform(self, results: dict) -> dict:
        h, w = results['img'].shape[:2]
        n = self._random_long_side(max(h, w))
        self.resize.scale = (n, n)
        results['scale'] = (n, n)
        return self.resize(results)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(ratio_range={self.ratio_range}, '
                f'resize_cfg={self.resize_cfg})')

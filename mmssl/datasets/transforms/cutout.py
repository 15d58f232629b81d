# Copyright (c) mmssl contributors. All rights reserved.
"""Cutout for strong views, parameterised by erased AREA."""
from typing import List, Sequence, Tuple, Union

import numpy as np
from mmcv.transforms.utils import cache_randomness
from mmdet.datasets.transforms import RandomErasing

from mmseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class Cutout(RandomErasing):
    """Erase rectangles covering a uniformly drawn fraction of the image area
    (FixMatch / Dense FixMatch Cutout: 10–30 % of the area).

    Reuses mmdet ``RandomErasing`` (fill, boxes, masks) but changes two
    things:

    - ``area_range`` is a fraction of the image AREA, drawn uniformly.
      mmdet's ``ratio`` is a fraction of each SIDE (area = ratio², not
      uniform); here each patch has side fractions
      ``(sqrt(a·r), sqrt(a/r))`` for area ``a`` and aspect ``r`` (relative to
      the image's aspect) drawn log-uniformly from ``aspect_range``.
    - By default the label map is NOT erased (``erase_seg=False``): Cutout
      hides pixels, not scene content, so the matched pseudo-labels still
      supervise the erased region (FixMatch semantics). With
      ``erase_seg=True`` the erased pixels of ``gt_seg_map`` become
      ``seg_ignore_label``, i.e. part of the strong view's ignore region,
      which :class:`~mmssl.models.SemiSegmentor` removes from the
      pseudo-labels (French et al.'s masked consistency: no loss inside the
      box).

    Args:
        area_range (tuple[float, float]): erased area fraction per patch, in
            (0, 1). Defaults to (0.1, 0.3).
        n_patches (int | tuple[int, int]): number of patches (or a range).
            Defaults to 1.
        aspect_range (tuple[float, float]): patch aspect relative to the
            image aspect; (1, 1) keeps the image aspect (square on square
            crops). Defaults to (1.0, 1.0).
        prob (float): probability to apply. Defaults to 1.0.
        img_border_value (int | float | tuple): fill value. Defaults to 128.
        erase_seg (bool): also erase ``gt_seg_map``. Defaults to False.
        seg_ignore_label (int): label of erased pixels when ``erase_seg``.
            Defaults to 255.
        bbox_erased_thr, mask_border_value: see mmdet ``RandomErasing``.
    """

    def __init__(self,
                 area_range: Tuple[float, float] = (0.1, 0.3),
                 n_patches: Union[int, Tuple[int, int]] = 1,
                 aspect_range: Tuple[float, float] = (1.0, 1.0),
                 prob: float = 1.0,
                 img_border_value: Union[int, float, tuple] = 128,
                 erase_seg: bool = False,
                 seg_ignore_label: int = 255,
                 bbox_erased_thr: float = 0.9,
                 mask_border_value: int = 0) -> None:
        if not (len(area_range) == 2
                and 0 < area_range[0] <= area_range[1] < 1):
            raise ValueError(
                f'area_range must satisfy 0 < lo <= hi < 1, got {area_range}')
        if not (len(aspect_range) == 2
                and 0 < aspect_range[0] <= aspect_range[1]):
            raise ValueError(f'aspect_range must satisfy 0 < lo <= hi, got '
                             f'{aspect_range}')
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        lo, hi = np.sqrt(area_range[0]), np.sqrt(area_range[1])
        super().__init__(
            n_patches=n_patches,
            ratio=(float(lo), float(hi)) if hi > lo else float(lo),
            squared=True,
            bbox_erased_thr=bbox_erased_thr,
            img_border_value=img_border_value,
            mask_border_value=mask_border_value,
            seg_ignore_label=seg_ignore_label)
        self.area_range = tuple(float(a) for a in area_range)
        self.aspect_range = tuple(float(a) for a in aspect_range)
        self.prob = prob
        self.erase_seg = erase_seg

    @cache_randomness
    def _get_patches(self, img_shape: Sequence[int]) -> np.ndarray:
        """Patches ``[x1, y1, x2, y2]`` lying entirely inside the image."""
        h, w = int(img_shape[0]), int(img_shape[1])
        patches = []
        n = np.random.randint(self.n_patches[0], self.n_patches[1] + 1)
        for _ in range(n):
            area = np.random.uniform(*self.area_range)
            aspect = np.exp(np.random.uniform(*np.log(self.aspect_range)))
            fh = min(np.sqrt(area * aspect), 1.0)
            fw = min(area / fh, 1.0)
            ph = max(min(int(round(fh * h)), h), 0)
            pw = max(min(int(round(fw * w)), w), 0)
            y1 = np.random.randint(0, h - ph + 1)
            x1 = np.random.randint(0, w - pw + 1)
            patches.append([x1, y1, x1 + pw, y1 + ph])
        return np.array(patches, dtype=np.int64).reshape(-1, 4)

    @cache_randomness
    def _random_disable(self) -> bool:
        return np.random.rand() > self.prob

    def _transform_seg(self, results: dict, patches: List[list]) -> None:
        if self.erase_seg:
            super()._transform_seg(results, patches)

    def transform(self, results: dict) -> dict:
        if self._random_disable():
            return results
        return super().transform(results)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(area_range={self.area_range}, '
                f'n_patches={self.n_patches}, '
                f'aspect_range={self.aspect_range}, prob={self.prob}, '
                f'img_border_value={self.img_border_value}, '
                f'erase_seg={self.erase_seg}, '
                f'seg_ignore_label={self.seg_ignore_label})')

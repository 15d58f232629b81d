# Copyright (c) mmssl contributors. All rights reserved.
"""Weak and strong views of one loaded sample, with jointly drawn crops."""
import copy
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
from mmcv.transforms.utils import cache_randomness
from mmdet.datasets.transforms import MultiBranch
from mmdet.datasets.transforms import RandomCrop as MMDetRandomCrop

from mmseg.registry import TRANSFORMS

CROP_RELATIONS = ('same', 'overlap', 'any')


class _OffsetCrop(MMDetRandomCrop):
    """mmdet ``RandomCrop`` at a given offset.

    Reuses mmdet's cropping of the image, ``gt_seg_map``, boxes and masks and
    its recording of ``homography_matrix`` (``T @ H``); only the offset is
    chosen by :class:`SemiViews`.
    """

    def __init__(self) -> None:
        super().__init__(crop_size=(1, 1), allow_negative_crop=True)
        self._offset = (0, 0)

    def _rand_offset(self, margin: Tuple[int, int]) -> Tuple[int, int]:
        return self._offset

    def crop(self, results: dict, crop_hw: Tuple[int, int],
             offset_yx: Tuple[int, int]) -> dict:
        self._offset = (int(offset_yx[0]), int(offset_yx[1]))
        return self._crop_data(results, crop_hw, allow_negative_crop=True)


@TRANSFORMS.register_module()
class SemiViews(MultiBranch):
    """Two views (``weak`` and ``strong``) of one sample for Dense FixMatch /
    FixMatch*, each recording its geometry in ``homography_matrix``.

    Per view: optional random rescale (``resize``), a crop of ``crop_size``
    whose relation to the other view's crop is ``crop_relation``, then the
    view's own pipeline (``weak`` / ``strong``, each ending in a packer).
    Crops are drawn jointly here because no per-branch transform can see the
    other branch. The output has the format of mmdet ``MultiBranch``:
    ``{'inputs': {'weak': ..., 'strong': ...},
    'data_samples': {'weak': ..., 'strong': ...}}``, for
    ``mmdet.MultiBranchDataPreprocessor``.

    Crop relations (Dense FixMatch, table 5):

    - ``'same'``: one scale and one crop shared by both views, so the views
      differ only by what their pipelines do after the crop.
    - ``'overlap'``: independent crops whose regions in original-image
      coordinates share at least ``min_overlap`` of the smaller region's
      area (uniform over admissible positions by rejection sampling; if
      none of ``max_tries`` candidates qualifies, the best-overlapping
      position, centred on the weak crop, is used).
    - ``'any'``: independent crops.

    Scales: with ``share_scale=False`` (default unless ``'same'``) each view
    draws its own scale, as Dense FixMatch applies resize + crop per view;
    ``'same'`` implies a shared scale.

    Args:
        weak (list[dict]): pipeline of the weak view after the crop.
        strong (list[dict]): pipeline of the strong view after the crop.
        crop_size (tuple[int, int]): ``(h, w)`` of the crops; a view smaller
            than that is cropped to its own size (pad in the data
            preprocessor).
        resize (dict, optional): random rescale applied per view before the
            crop. It must record ``homography_matrix``, e.g.
            ``dict(type='RandomResize', scale=(2048, 1024),
            ratio_range=(0.5, 2.0), keep_ratio=True,
            resize_type='mmdet.Resize')``. Defaults to None (no rescale).
        crop_relation (str): ``'same'``, ``'overlap'`` or ``'any'``.
            Defaults to ``'overlap'``.
        min_overlap (float): minimum overlap in (0, 1] for ``'overlap'``.
            Defaults to 0.5 (the paper does not give its value).
        share_scale (bool, optional): draw one scale for both views.
            Defaults to None: True for ``'same'``, False otherwise.
        max_tries (int): candidates drawn per sample for ``'overlap'``.
            Defaults to 64.
        strong2 (list[dict], optional): pipeline of a second strong view
            (branch ``strong2``, UniMatch), run on a copy of the strong
            view's crop (the same scale and crop, so it differs from
            ``strong`` only by what its own random ops do, as UniMatch's
            ``img_s1`` / ``img_s2`` of one crop). Defaults to None (two
            views).
    """

    def __init__(self,
                 weak: List[dict],
                 strong: List[dict],
                 crop_size: Union[int, Sequence[int]],
                 resize: Optional[dict] = None,
                 crop_relation: str = 'overlap',
                 min_overlap: float = 0.5,
                 share_scale: Optional[bool] = None,
                 max_tries: int = 64,
                 strong2: Optional[List[dict]] = None) -> None:
        if crop_relation not in CROP_RELATIONS:
            raise ValueError(f'crop_relation must be one of {CROP_RELATIONS}, '
                             f'got {crop_relation!r}')
        if not (isinstance(min_overlap,
                           (int, float)) and 0 < min_overlap <= 1):
            raise ValueError(
                f'min_overlap must be in (0, 1], got {min_overlap!r}')
        if share_scale is None:
            share_scale = crop_relation == 'same'
        if crop_relation == 'same' and not share_scale:
            raise ValueError("crop_relation='same' needs share_scale=True: "
                             'one crop cannot be shared by views of '
                             'different scales')
        if isinstance(crop_size, int):
            crop_size = (crop_size, crop_size)
        if len(crop_size) != 2 or min(crop_size) <= 0:
            raise ValueError(f'crop_size must be (h, w) > 0, got {crop_size}')
        if max_tries < 1:
            raise ValueError(f'max_tries must be >= 1, got {max_tries}')
        if strong2 is None:
            super().__init__(
                branch_field=['weak', 'strong'], weak=weak, strong=strong)
        else:
            super().__init__(
                branch_field=['weak', 'strong', 'strong2'],
                weak=weak,
                strong=strong,
                strong2=strong2)
        self.crop_size = (int(crop_size[0]), int(crop_size[1]))
        self.resize_cfg = resize
        self.resize = TRANSFORMS.build(resize) if resize is not None else None
        self.crop_relation = crop_relation
        self.min_overlap = float(min_overlap)
        self.share_scale = bool(share_scale)
        self.max_tries = int(max_tries)
        self._cropper = _OffsetCrop()

    # ----------------------------------------------------------- geometry
    def _rescale(self, results: dict) -> dict:
        """Random rescale of a copy, checking that it was recorded."""
        results = copy.deepcopy(results)
        if results.get('homography_matrix', None) is None:
            results['homography_matrix'] = np.eye(3, dtype=np.float32)
        if self.resize is None:
            return results
        shape, hom = results['img'].shape[:2], results['homography_matrix']
        results = self.resize(results)
        if (results['img'].shape[:2] != shape
                and np.array_equal(results['homography_matrix'], hom)):
            raise RuntimeError(
                f'SemiViews: resize {self.resize_cfg} changed the image size '
                'without recording homography_matrix; use an mmdet resize, '
                "e.g. RandomResize(..., resize_type='mmdet.Resize')")
        return results

    def _crop_hw(self, view: dict) -> Tuple[int, int]:
        h, w = view['img'].shape[:2]
        return min(self.crop_size[0], h), min(self.crop_size[1], w)

    @staticmethod
    def _regions(view: dict, crop_hw: Tuple[int, int],
                 offsets: np.ndarray) -> np.ndarray:
        """Crop regions ``[N, 4]`` (x1, y1, x2, y2) in original-image
        coordinates for ``offsets`` ``[N, 2]`` (y, x) in the view."""
        inv = np.linalg.inv(np.asarray(view['homography_matrix'], np.float64))
        y0 = offsets[:, 0].astype(np.float64)
        x0 = offsets[:, 1].astype(np.float64)
        xs = np.stack([x0, x0 + crop_hw[1], x0, x0 + crop_hw[1]], 1)
        ys = np.stack([y0, y0, y0 + crop_hw[0], y0 + crop_hw[0]], 1)
        pts = np.stack([xs, ys, np.ones_like(xs)], -1) @ inv.T  # [N, 4, 3]
        px, py = pts[..., 0] / pts[..., 2], pts[..., 1] / pts[..., 2]
        return np.stack([px.min(1), py.min(1), px.max(1), py.max(1)], 1)

    @staticmethod
    def overlap(region_a: np.ndarray, region_b: np.ndarray) -> np.ndarray:
        """Intersection area over the smaller area of ``(x1, y1, x2, y2)``
        regions (broadcast over leading dimensions)."""
        iw = np.clip(
            np.minimum(region_a[..., 2], region_b[..., 2]) -
            np.maximum(region_a[..., 0], region_b[..., 0]), 0, None)
        ih = np.clip(
            np.minimum(region_a[..., 3], region_b[..., 3]) -
            np.maximum(region_a[..., 1], region_b[..., 1]), 0, None)
        area_a = ((region_a[..., 2] - region_a[..., 0]) *
                  (region_a[..., 3] - region_a[..., 1]))
        area_b = ((region_b[..., 2] - region_b[..., 0]) *
                  (region_b[..., 3] - region_b[..., 1]))
        return iw * ih / np.maximum(np.minimum(area_a, area_b), 1e-12)

    @staticmethod
    def _uniform_offsets(margin: Tuple[int, int], n: int) -> np.ndarray:
        return np.stack([
            np.random.randint(0, margin[0] + 1, size=n),
            np.random.randint(0, margin[1] + 1, size=n)
        ], 1)

    @cache_randomness
    def _draw_offsets(self, weak: dict, strong: dict, weak_hw, strong_hw):
        """Crop offsets ``(y, x)`` of the weak and the strong view."""
        margin_w = (weak['img'].shape[0] - weak_hw[0],
                    weak['img'].shape[1] - weak_hw[1])
        margin_s = (strong['img'].shape[0] - strong_hw[0],
                    strong['img'].shape[1] - strong_hw[1])
        off_w = self._uniform_offsets(margin_w, 1)[0]
        if self.crop_relation == 'same':
            return off_w, off_w.copy()
        if self.crop_relation == 'any':
            return off_w, self._uniform_offsets(margin_s, 1)[0]
        # 'overlap': rejection sampling, then the best position as fallback
        region_w = self._regions(weak, weak_hw, off_w[None])[0]
        cands = self._uniform_offsets(margin_s, self.max_tries)
        ov = self.overlap(self._regions(strong, strong_hw, cands), region_w)
        ok = np.nonzero(ov >= self.min_overlap)[0]
        if len(ok):
            return off_w, cands[ok[0]]
        # centre the strong crop on the weak region, in the strong view
        centre = np.array([(region_w[0] + region_w[2]) / 2,
                           (region_w[1] + region_w[3]) / 2, 1.0])
        c = np.asarray(strong['homography_matrix'], np.float64) @ centre
        cx, cy = c[0] / c[2], c[1] / c[2]
        best = np.array([
            np.clip(round(cy - strong_hw[0] / 2), 0, margin_s[0]),
            np.clip(round(cx - strong_hw[1] / 2), 0, margin_s[1])
        ])
        cands = np.concatenate([cands, best[None]])
        ov = np.append(
            ov,
            self.overlap(
                self._regions(strong, strong_hw, best[None])[0], region_w))
        return off_w, cands[int(np.argmax(ov))]

    def make_views(self, results: dict) -> Tuple[dict, dict]:
        """Rescaled and cropped ``(weak, strong)`` results, before the
        branch pipelines."""
        weak = self._rescale(results)
        strong = (
            copy.deepcopy(weak)
            if self.share_scale else self._rescale(results))
        weak_hw, strong_hw = self._crop_hw(weak), self._crop_hw(strong)
        off_w, off_s = self._draw_offsets(weak, strong, weak_hw, strong_hw)
        weak = self._cropper.crop(weak, weak_hw, off_w)
        strong = self._cropper.crop(strong, strong_hw, off_s)
        return weak, strong

    # ---------------------------------------------------------- transform
    def transform(self, results: dict) -> Optional[dict]:
        """Make both views, run their pipelines, group like MultiBranch."""
        views = dict(zip(('weak', 'strong'), self.make_views(results)))
        if 'strong2' in self.branch_field:
            views['strong2'] = copy.deepcopy(views['strong'])
        multi_results = {}
        for branch in self.branch_field:
            out = self.branch_pipelines[branch](views[branch])
            if out is None:
                return None
            multi_results[branch] = out
        format_results = {}
        for branch, out in multi_results.items():
            for key, value in out.items():
                format_results.setdefault(key, {})[branch] = value
        return format_results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(crop_size={self.crop_size}, '
                f'resize={self.resize_cfg}, '
                f'crop_relation={self.crop_relation!r}, '
                f'min_overlap={self.min_overlap}, '
                f'share_scale={self.share_scale}, '
                f'weak={self.branch_pipelines["weak"]}, '
                f'strong={self.branch_pipelines["strong"]}' +
                (f', strong2={self.branch_pipelines["strong2"]}'
                 if 'strong2' in self.branch_pipelines else '') + ')')

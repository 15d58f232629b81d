# Copyright (c) mmssl contributors. All rights reserved.
"""Geometric transforms whose recorded ``homography_matrix`` describes
exactly what they do to the pixels and to the label map.

mmdet's ``Rotate``, ``ShearX`` and ``ShearY`` warp with OpenCV, whose
coordinates put pixel CENTRES at integers, but record that matrix as is,
while mmdet ``Resize``, ``RandomFlip`` and ``RandomCrop`` (and the matching
op, :mod:`mmssl.models.utils.view_matching`) use continuous coordinates with
pixel EDGES at integers. The mismatch is a sub-pixel offset, ``(I - A)·½``,
that misaligns matched labels at every region boundary: warping a view's
ground truth through the recorded matrix reproduced mmdet ``Rotate``'s label
map on only ~96.6 % of pixels (min 94 %) of a 128×96 blocky map, ``Shear*``
on ~99 %. Recording ``T(½)·A·T(-½)`` instead gives 100 %.

mmdet/mmcv ``Resize`` resizes ``gt_seg_map`` with OpenCV ``INTER_NEAREST``,
which samples source pixel ``floor(x·h/h')`` (the destination pixel's left
edge) instead of its centre, so at non-integer scales labels drift up to half
a source pixel from the (bilinear, centre-aligned) image and from the
recorded scale: only 84-93 % of a blocky map agreed with the geometric
warp at scales 0.77-1.62. :class:`ExactResize` samples label centres.

mmdet also rounds sampled magnitudes to one decimal (``level_to_mag``), which
collapses translations of ±15 % to {0, ±10 %}. These ops draw magnitudes
uniformly in ``[min_mag, max_mag]`` without rounding (when ``level`` is None)
and flip the sign with probability ``1 - reversal_prob`` as mmdet does.

Use them inside ``mmdet.RandAugment`` exactly like mmdet's ops, e.g.
``[dict(type='ExactRotate', min_mag=0., max_mag=30.)]``.
"""
import numpy as np
from mmcv.transforms.utils import cache_randomness
from mmdet.datasets.transforms import Resize, Rotate, ShearX, ShearY
from mmdet.datasets.transforms import TranslateX, TranslateY
from mmdet.datasets.transforms.augment_wrappers import level_to_mag

from mmseg.registry import TRANSFORMS

# OpenCV pixel-centre coordinates -> pixel-edge coordinates
_CENTRE_TO_EDGE = np.array([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1]], np.float64)
_EDGE_TO_CENTRE = np.linalg.inv(_CENTRE_TO_EDGE)


def cv2_to_edge_homography(matrix: np.ndarray) -> np.ndarray:
    """Express a 3×3 matrix acting on OpenCV (pixel-centre) coordinates in
    pixel-edge coordinates: ``T(½) · matrix · T(-½)``, as float32."""
    return (_CENTRE_TO_EDGE @ np.asarray(matrix, np.float64)
            @ _EDGE_TO_CENTRE).astype(np.float32)


class _ContinuousMagMixin:
    """Magnitude drawn without mmdet's rounding to one decimal."""

    def _draw_mag(self) -> float:
        if self.level is None:
            return float(np.random.uniform(self.min_mag, self.max_mag))
        return level_to_mag(self.level, self.min_mag, self.max_mag)

    @cache_randomness
    def _get_mag(self) -> float:
        mag = self._draw_mag()
        return -mag if np.random.rand() > self.reversal_prob else mag


class _ContinuousShearMagMixin(_ContinuousMagMixin):
    """Shear angle in degrees -> shear factor ``tan(angle)``."""

    @cache_randomness
    def _get_mag(self) -> float:
        mag = np.tan(self._draw_mag() * np.pi / 180)
        return -mag if np.random.rand() > self.reversal_prob else mag


class _EdgeHomographyMixin:
    """Records the OpenCV warp matrix in pixel-edge coordinates."""

    def _get_homography_matrix(self, results: dict, mag: float) -> np.ndarray:
        return cv2_to_edge_homography(super()._get_homography_matrix(
            results, mag))


@TRANSFORMS.register_module()
class ExactRotate(_EdgeHomographyMixin, _ContinuousMagMixin, Rotate):
    """mmdet ``Rotate`` (angle in degrees, ±``max_mag``) recording its
    pixel-edge homography; see module docstring."""


@TRANSFORMS.register_module()
class ExactShearX(_EdgeHomographyMixin, _ContinuousShearMagMixin, ShearX):
    """mmdet ``ShearX`` (angle in degrees, ±``max_mag``) recording its
    pixel-edge homography; see module docstring."""


@TRANSFORMS.register_module()
class ExactShearY(_EdgeHomographyMixin, _ContinuousShearMagMixin, ShearY):
    """mmdet ``ShearY`` (angle in degrees, ±``max_mag``) recording its
    pixel-edge homography; see module docstring."""


@TRANSFORMS.register_module()
class ExactTranslateX(_ContinuousMagMixin, TranslateX):
    """mmdet ``TranslateX`` (fraction of the width, ±``max_mag``) with
    unrounded magnitudes. Integer-pixel shifts are already exact."""


@TRANSFORMS.register_module()
class ExactTranslateY(_ContinuousMagMixin, TranslateY):
    """mmdet ``TranslateY`` (fraction of the height, ±``max_mag``) with
    unrounded magnitudes. Integer-pixel shifts are already exact."""


def resize_labels_exact(labels: np.ndarray, out_hw) -> np.ndarray:
    """Nearest resize of a label map sampling every output pixel at its
    centre: output ``(y, x)`` takes input ``(floor((y+½)·h/h'),
    floor((x+½)·w/w'))``, the convention of ``warp_labels`` (exact ties
    resolve to the right/bottom pixel in both)."""
    h, w = labels.shape[:2]
    out_h, out_w = int(out_hw[0]), int(out_hw[1])
    # integer arithmetic: exact ties go to the right/bottom pixel
    rows = (2 * np.arange(out_h, dtype=np.int64) + 1) * h // (2 * out_h)
    cols = (2 * np.arange(out_w, dtype=np.int64) + 1) * w // (2 * out_w)
    return labels[rows[:, None], cols]


@TRANSFORMS.register_module()
class ExactResize(Resize):
    """mmdet ``Resize`` whose ``gt_seg_map`` is resized with centre-sampled
    nearest (:func:`resize_labels_exact`) to exactly the new image size, so
    labels stay aligned with the image and the recorded homography at any
    scale. Use it as ``RandomResize(..., resize_type='ExactResize')``."""

    def _resize_seg(self, results: dict) -> None:
        if results.get('gt_seg_map', None) is not None:
            results['gt_seg_map'] = resize_labels_exact(
                results['gt_seg_map'], results['img'].shape[:2])

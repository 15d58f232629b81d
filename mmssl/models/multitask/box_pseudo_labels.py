"""Teacher boxes on the weak view as pseudo-labels in the strong view.

Dense FixMatch's matching ``A o alpha^-1`` for boxes: each view records
``homography_matrix`` (original image -> view), so a box in the weak view
goes to the strong view through ``M = H_strong @ inv(H_weak)`` with mmdet's
``bbox_project`` (the enclosing box of the projected corners), is clipped to
the strong view's valid (unpadded) image and dropped when it is thinner
than ``min_size`` pixels (mostly outside the strong crop). For FixMatch*
(shared crop, photometric strong view) ``M`` is the identity.
"""
from typing import Tuple

import torch
from mmdet.structures.bbox import bbox_project
from mmengine.structures import InstanceData
from torch import Tensor


def confident_boxes(results: InstanceData, score_thr: float) -> InstanceData:
    """The teacher's detections scoring at least ``score_thr``."""
    return results[results.scores >= score_thr]


def project_boxes(boxes: Tensor, src_h: Tensor, dst_h: Tensor,
                  dst_hw: Tuple[int, int],
                  min_size: float) -> Tuple[Tensor, Tensor]:
    """Boxes ``[n, 4]`` (x1, y1, x2, y2) of the source view in the
    destination view: projected through ``dst_h @ inv(src_h)`` (float64),
    clipped to ``dst_hw`` ``(h, w)``. Returns the boxes (dtype of
    ``boxes``) and a bool mask ``[n]`` of those at least ``min_size`` wide
    and high."""
    m = dst_h.to(torch.float64) @ torch.linalg.inv(src_h.to(torch.float64))
    out = bbox_project(
        boxes.detach().to(torch.float64), m, img_shape=tuple(dst_hw))
    keep = ((out[:, 2] - out[:, 0]) >= min_size) & (
        (out[:, 3] - out[:, 1]) >= min_size)
    return out.to(boxes.dtype), keep

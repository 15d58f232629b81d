"""Box masks of CutMix (one or several boxes) and Cutout, batched."""
from typing import List, Sequence, Tuple

import torch
from torch import Tensor

from mmseg.registry import TASK_UTILS


def sample_boxes(image_hw: Sequence[Tuple[int, int]], area: Tensor,
                 num_boxes: int) -> Tensor:
    """``[n, num_boxes, 4]`` long boxes ``(y0, x0, y1, x1)``, each entirely
    inside its image.

    ``area`` ``[n, num_boxes]``: each box's area as a fraction of its image.
    The aspect ratio is random as in French et al.'s code: with
    ``a = area * num_boxes`` (the masked fraction), the box height is
    ``exp(u * log a) * sqrt(1 / num_boxes)`` of the image height, ``u``
    uniform in [0, 1]; the width is then chosen so that the box covers
    ``area * h * w`` pixels within half a column (one rounding, not two).
    Positions are uniform. Host (CPU) work: a few numbers per sample.
    """
    n = len(image_hw)
    hw = torch.tensor(image_hw, dtype=torch.float64).view(n, 1, 2)
    h, w = hw[..., 0], hw[..., 1]
    total = (area * num_boxes).clamp(1e-6, 1.0).double()
    h_frac = torch.exp(torch.rand(n, num_boxes, dtype=torch.float64) *
                       torch.log(total)) * (1.0 / num_boxes)**0.5
    # at least ceil(area * h) rows, so that the width fits in the image
    bh = torch.maximum(torch.round(h_frac * h), torch.ceil(area.double() * h))
    bh = torch.minimum(bh.clamp(min=1), h)
    bw = torch.round(area.double() * h * w / bh).clamp(min=1)
    bw = torch.minimum(bw, w)
    y0 = torch.floor((h - bh + 1) * torch.rand(n, num_boxes,
                                               dtype=torch.float64))
    x0 = torch.floor((w - bw + 1) * torch.rand(n, num_boxes,
                                               dtype=torch.float64))
    return torch.stack([y0, x0, y0 + bh, x0 + bw], dim=-1).long()


def boxes_to_mask(boxes: Tensor, shape: Tuple[int, int],
                  device: torch.device) -> Tensor:
    """``[n, H, W]`` bool: pixels covered by an odd number of the boxes
    (XOR of the boxes, as French et al.'s code combines several)."""
    boxes = boxes.to(device, non_blocking=True)
    ys = torch.arange(shape[0], device=device).view(1, 1, -1, 1)
    xs = torch.arange(shape[1], device=device).view(1, 1, 1, -1)
    b = boxes.view(boxes.shape[0], boxes.shape[1], 4, 1, 1)
    inside = ((ys >= b[:, :, 0]) & (ys < b[:, :, 2]) & (xs >= b[:, :, 1])
              & (xs < b[:, :, 3]))
    return inside.sum(dim=1) % 2 == 1


def _unit_range(name: str, value) -> Tuple[float, float]:
    lo, hi = (value, value) if isinstance(value, (int, float)) else value
    if not 0.0 < lo <= hi <= 1.0:
        raise ValueError(f'{name} must be a fraction in (0, 1] or a range '
                         f'(lo, hi) with 0 < lo <= hi <= 1, got {value!r}')
    return float(lo), float(hi)


@TASK_UTILS.register_module()
class CutMixMaskGenerator:
    """CutMix (French et al. 2020, section 3.3; appendix D.3).

    ``mask`` is True where the mixed image keeps the sample's own pixels and
    False inside the box(es), where the partner's pixels are pasted. One box
    (default): half of the image area, random aspect ratio and position,
    entirely inside the image. ``num_boxes=3`` with ``area_ratio=1/6``: the
    three-box variant (each box 1/6 of the image; boxes combined by XOR as
    in the authors' code).

    Args:
        area_ratio: each box's area as a fraction of the image (a number, or
            a range sampled uniformly).
        num_boxes: boxes per mask.
    """
    needs_partner = True

    def __init__(self, area_ratio=0.5, num_boxes: int = 1):
        self.area_range = _unit_range('CutMixMaskGenerator.area_ratio',
                                      area_ratio)
        if int(num_boxes) < 1:
            raise ValueError('CutMixMaskGenerator.num_boxes must be >= 1, '
                             f'got {num_boxes}')
        self.num_boxes = int(num_boxes)

    def sample(self, image_hw: List[Tuple[int, int]]) -> Tensor:
        lo, hi = self.area_range
        area = lo + (hi - lo) * torch.rand(len(image_hw), self.num_boxes)
        return sample_boxes(image_hw, area, self.num_boxes)

    def __call__(self, labels: Tensor, image_hw: List[Tuple[int, int]],
                 num_classes: int) -> Tensor:
        boxes = self.sample(image_hw)
        return ~boxes_to_mask(boxes, tuple(labels.shape[1:]), labels.device)


@TASK_UTILS.register_module()
class CutoutMaskGenerator(CutMixMaskGenerator):
    """Cutout (French et al. 2020, section 3.3): one box of random size
    (``area_ratio`` range, default 0.1-0.5 of the image: the paper gives no
    range) and random aspect ratio, entirely inside the image. ``mask`` is
    False inside the box: the student sees zeros there (the normalised
    mean colour) and the consistency loss ignores those pixels. No
    partner."""
    needs_partner = False

    def __init__(self, area_ratio=(0.1, 0.5)):
        super().__init__(area_ratio=area_ratio, num_boxes=1)

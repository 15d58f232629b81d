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
    The aspect ratio is random as in French et al.'s code (``mask_gen.py``
    ``BoxMaskGenerator.generate_params``): with ``a = area * num_boxes``
    (the masked fraction), the box height is ``exp(u * log a) * sqrt(1 /
    num_boxes)`` of the image height, ``u`` uniform in [0, 1]; the width
    is then chosen so that the box covers ``area * h * w`` pixels within
    half a column (one rounding, not two). Positions are uniform. An area
    of 0 gives an empty box (their code: "Zeros will cause NaNs", sizes set
    to 0). Host (CPU) work: a few numbers per sample.
    """
    n = len(image_hw)
    hw = torch.tensor(image_hw, dtype=torch.float64).view(n, 1, 2)
    h, w = hw[..., 0], hw[..., 1]
    area = area.double()
    total = (area * num_boxes).clamp(1e-6, 1.0)
    h_frac = torch.exp(torch.rand(n, num_boxes, dtype=torch.float64) *
                       torch.log(total)) * (1.0 / num_boxes)**0.5
    # at least ceil(area * h) rows, so that the width fits in the image
    bh = torch.maximum(torch.round(h_frac * h), torch.ceil(area * h))
    bh = torch.minimum(bh.clamp(min=1), h)
    bw = torch.round(area * h * w / bh).clamp(min=1)
    bw = torch.minimum(bw, w)
    empty = area <= 0
    bh = torch.where(empty, torch.zeros_like(bh), bh)
    bw = torch.where(empty, torch.zeros_like(bw), bw)
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


def _unit_range(name: str, value,
                allow_zero: bool = False) -> Tuple[float, float]:
    """``(lo, hi)`` from a fraction or a range, ``hi`` in (0, 1]; ``lo`` may
    be 0 (an empty box can be drawn) only with ``allow_zero``."""
    lo, hi = (value, value) if isinstance(value, (int, float)) else value
    lo_ok = 0.0 <= lo if allow_zero else 0.0 < lo
    if not (lo_ok and lo <= hi <= 1.0 and hi > 0.0):
        bound = '0 <= lo' if allow_zero else '0 < lo'
        raise ValueError(f'{name} must be a fraction in (0, 1] or a range '
                         f'(lo, hi) with {bound} <= hi <= 1 and hi > 0, got '
                         f'{value!r}')
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
    """Cutout (French et al. 2020, section 3.3): one box of random size and
    random aspect ratio, entirely inside the image; no partner. ``mask`` is
    False where the image is cut out: the student sees zeros there (the
    normalised mean colour) and those pixels have no target (the paper's
    ``L = ||M (f(M x) - g(x))||^2``).

    The paper gives no size range; the box area is uniform in
    ``area_ratio``, by default [0, 1] of the image: the authors' Cutout
    runs (``run_cityscapes_experiments.sh`` and
    ``run_pascal_aug_experiments.sh``, ``REG_MASK_CUTOUT``:
    ``--mask_prop_range=0.0:1.0``; ``mask_gen.py``: ``mask_props =
    rng.uniform(prop_range[0], prop_range[1])``).

    Args:
        area_ratio: box area as a fraction of the image (a number, or a
            range sampled uniformly; 0 is allowed: no cut-out).
        keep_box: False (default, the paper: "set the pixels inside a
            randomly chosen rectangle to 0"): the box is cut out. True
            (the authors' code: ``BoxMaskGenerator(invert=True)`` by default,
            ``train_seg_semisup_mask_mt.py`` ``invert=not
            boxmask_no_invert``, gives a mask that is 1 inside the box and 0
            around it, and ``batch_ux * batch_cut_masks`` keeps the box): the
            box is kept and everything around it is cut out. With an area
            uniform in [0, 1] the cut-out fraction has the same uniform
            distribution either way; only its shape differs.
    """
    needs_partner = False

    def __init__(self, area_ratio=(0.0, 1.0), keep_box: bool = False):
        self.area_range = _unit_range('CutoutMaskGenerator.area_ratio',
                                      area_ratio, allow_zero=True)
        self.num_boxes = 1
        self.keep_box = bool(keep_box)

    def __call__(self, labels: Tensor, image_hw: List[Tuple[int, int]],
                 num_classes: int) -> Tensor:
        box = boxes_to_mask(
            self.sample(image_hw), tuple(labels.shape[1:]), labels.device)
        return box if self.keep_box else ~box

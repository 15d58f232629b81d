"""UniMatch's CutMix box (Yang et al., CVPR 2023; official
``dataset/transform.py`` ``obtain_cutmix_box``)."""
from typing import List, Sequence, Tuple

import numpy as np
import torch
from torch import Tensor

from mmseg.registry import TASK_UTILS


@TASK_UTILS.register_module()
class UniMatchCutMixMaskGenerator:
    """UniMatch's CutMix box (``dataset/transform.py``
    ``obtain_cutmix_box``): with probability ``prob`` one box, else none;
    its area is uniform in ``area_range`` of the image, its aspect ratio
    ``h / w`` uniform in ``ratio_range`` (``cutmix_w = int(sqrt(size /
    ratio))``, ``cutmix_h = int(sqrt(size * ratio))``), its top-left corner
    uniform over the image; ratio and position are redrawn until the box
    lies inside the image (the official loop; here at most ``max_tries``
    times, then the box is clipped to the image). The official draws it on
    the square crop; here on each image's valid (unpadded) size.

    Differs from :class:`CutMixMaskGenerator` (French et al.: always one
    box of half the image, log-uniform aspect ratio), hence its own class.

    ``mask`` is True where the mixed image keeps the sample's own pixels
    and False inside the box (the partner's pixels), as the other
    generators. Random numbers come from torch's global generator (host).
    """
    needs_partner = True

    def __init__(self,
                 prob: float = 0.5,
                 area_range: Tuple[float, float] = (0.02, 0.4),
                 ratio_range: Tuple[float, float] = (0.3, 1 / 0.3),
                 max_tries: int = 1000):
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        lo, hi = area_range
        if not 0.0 < lo <= hi <= 1.0:
            raise ValueError(f'area_range must be 0 < lo <= hi <= 1, got '
                             f'{area_range}')
        if not 0.0 < ratio_range[0] <= ratio_range[1]:
            raise ValueError(f'ratio_range must be 0 < lo <= hi, got '
                             f'{ratio_range}')
        self.prob = float(prob)
        self.area_range = (float(lo), float(hi))
        self.ratio_range = tuple(float(r) for r in ratio_range)
        self.max_tries = int(max_tries)

    def _uniform(self, lo: float, hi: float) -> float:
        return lo + (hi - lo) * float(torch.rand(()))

    def sample(self, image_hw: Sequence[Tuple[int, int]]) -> Tensor:
        """``[n, 1, 4]`` long boxes ``(y0, x0, y1, x1)``; an empty box
        where none is drawn."""
        boxes = torch.zeros(len(image_hw), 1, 4, dtype=torch.long)
        for k, (h, w) in enumerate(image_hw):
            if float(torch.rand(())) > self.prob:  # official: > p -> none
                continue
            size = self._uniform(*self.area_range) * h * w
            for _ in range(self.max_tries):
                ratio = self._uniform(*self.ratio_range)
                bw = int(np.sqrt(size / ratio))
                bh = int(np.sqrt(size * ratio))
                x = int(torch.randint(w, ()))
                y = int(torch.randint(h, ()))
                if x + bw <= w and y + bh <= h:
                    break
            boxes[k, 0] = torch.tensor(
                [y, x, min(y + bh, h), min(x + bw, w)])
        return boxes

    def __call__(self, labels: Tensor, image_hw: List[Tuple[int, int]],
                 num_classes: int) -> Tensor:
        boxes = self.sample(image_hw).to(labels.device)
        ys = torch.arange(labels.shape[1], device=labels.device).view(
            1, -1, 1)
        xs = torch.arange(labels.shape[2], device=labels.device).view(
            1, 1, -1)
        b = boxes[:, 0].view(-1, 4, 1, 1)
        inside = ((ys >= b[:, 0]) & (ys < b[:, 2]) & (xs >= b[:, 1]) &
                  (xs < b[:, 3]))
        return ~inside

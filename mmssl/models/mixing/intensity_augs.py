"""kornia intensity augmentations applied to a normalised batch on device."""
from typing import List, Optional

import kornia.augmentation as K
import torch
import torch.nn as nn
from torch import Tensor


def build_intensity_augs(cfgs: Optional[List[dict]]) -> nn.ModuleList:
    """kornia ``IntensityAugmentationBase2D`` modules from config dicts,
    e.g. ``dict(type='ColorJiggle', brightness=0.25, p=0.8)``.

    Geometric kornia ops are refused: they would move pixels away from
    their (already mixed) targets.
    """
    augs = nn.ModuleList()
    for cfg in cfgs or []:
        cfg = dict(cfg)
        name = cfg.pop('type', None)
        cls = getattr(K, str(name), None)
        if not (isinstance(cls, type)
                and issubclass(cls, K.IntensityAugmentationBase2D)):
            raise ValueError(
                f'semi_train_cfg.extra_augs: {name!r} is not a kornia.'
                'augmentation intensity op (e.g. ColorJiggle, '
                'RandomGaussianBlur); geometric ops would misalign the '
                'pseudo-labels')
        augs.append(cls(**cfg))
    return augs


class IntensityAugs(nn.Module):
    """ClassMix's "extra augmentations" (colour jitter, Gaussian blur) on
    the mixed batch, on its device.

    The batch is normalised by the data preprocessor (``(x - mean) / std``,
    RGB when it converts from BGR); kornia's colour ops expect RGB in
    [0, 1]. So: de-normalise, to RGB [0, 1], the kornia ops, back.
    """

    def __init__(self, cfgs: Optional[List[dict]]):
        super().__init__()
        self.augs = build_intensity_augs(cfgs)

    def __len__(self) -> int:
        return len(self.augs)

    def forward(self, inputs: Tensor, mean: Tensor, std: Tensor,
                rgb: bool = True) -> Tensor:
        if not len(self.augs):
            return inputs
        mean = mean.view(1, -1, 1, 1).to(inputs)
        std = std.view(1, -1, 1, 1).to(inputs)
        x = ((inputs * std + mean) / 255.0).clamp(0, 1)
        if not rgb:
            x = x.flip(1)
        with torch.no_grad():
            for aug in self.augs:
                x = aug(x)
        if not rgb:
            x = x.flip(1)
        return (x * 255.0 - mean) / std

"""What the data preprocessor did to the images, to undo it (panels) or to
apply colour augmentations in [0, 1] (kornia) on the model's inputs."""
from typing import NamedTuple, Optional

import torch
from torch import Tensor


class InputNormalisation(NamedTuple):
    """``inputs = (image - mean) / std``, per channel; ``rgb``: whether the
    inputs are in RGB order (the preprocessor converted BGR loads)."""
    mean: Tensor
    std: Tensor
    rgb: bool


def input_normalisation(data_preprocessor) -> Optional[InputNormalisation]:
    """The normalisation of ``data_preprocessor`` (an mmseg / mmengine image
    preprocessor, or mmdet's ``MultiBranchDataPreprocessor`` around one);
    None when it does not normalise. The channel conversion is mmseg's
    ``channel_conversion`` or mmengine's ``_channel_conversion``."""
    pre = getattr(data_preprocessor, 'data_preprocessor', data_preprocessor)
    mean, std = getattr(pre, 'mean', None), getattr(pre, 'std', None)
    if mean is None or std is None:
        return None
    rgb = getattr(pre, 'channel_conversion',
                  getattr(pre, '_channel_conversion', False))
    return InputNormalisation(mean.flatten(), std.flatten(), bool(rgb))


@torch.no_grad()
def to_uint8_rgb(inputs: Tensor, norm: InputNormalisation) -> Tensor:
    """Normalised inputs ``[n, 3, H, W]`` back to uint8 RGB images."""
    x = inputs.detach() * norm.std.to(inputs).view(1, -1, 1, 1) + \
        norm.mean.to(inputs).view(1, -1, 1, 1)
    x = x.clamp(0, 255).to(torch.uint8)
    return x if norm.rgb else x.flip(1)

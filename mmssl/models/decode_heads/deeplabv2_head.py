# Copyright (c) mmssl contributors. All rights reserved.
"""DeepLab-v2 ASPP classifier (Chen et al., TPAMI 2018), as used by ClassMix
and by French et al. for semi-supervised segmentation on ResNet-101."""
from typing import Sequence, Tuple

from torch import Tensor, nn

from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.registry import MODELS


@MODELS.register_module()
class DeepLabV2Head(BaseDecodeHead):
    """DeepLab-v2's ASPP classifier: the SUM of parallel 3x3 convolutions
    ``in_channels -> num_classes`` (with bias) of dilations ``dilations``
    (padding = dilation) on one backbone feature map (the last by default).

    Unlike other mmseg heads, the ASPP branches ARE the classifier: mmseg's
    1x1 ``conv_seg`` is removed, so every parameter takes part in every
    forward (DDP without ``find_unused_parameters``). Loss, prediction,
    ``ignore_index``, ``align_corners`` and ``sampler`` are mmseg's
    ``BaseDecodeHead`` code.

    Initialisation as the original: weights Normal(0, 0.01); biases 0 (the
    public code keeps PyTorch's default bias init; a choice). The public
    DeepLab-v2 code of Hung et al. (reused by French et al.) returns from
    inside its summation loop and so adds only the dilation-6 and -12
    branches; ``dilations=(6, 12)`` reproduces that, the default sums all
    four as the paper describes.

    Args:
        in_channels (int): channels of the input feature map (2048 for
            ResNet-101).
        num_classes (int): number of classes.
        dilations (Sequence[int]): dilation (= padding) of each branch.
            Defaults to (6, 12, 18, 24).
        dropout_ratio (float): dropout on the features before the branches;
            0 (default) as the original.
        channels (int, optional): unused by this head (no intermediate
            features); defaults to ``in_channels``.
        **kwargs: other ``BaseDecodeHead`` arguments (``loss_decode``,
            ``ignore_index``, ``align_corners``, ``sampler``, ``in_index``,
            ...).
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 dilations: Sequence[int] = (6, 12, 18, 24),
                 dropout_ratio: float = 0.0,
                 channels: int = None,
                 init_cfg=dict(type='Normal', std=0.01, bias=0,
                               layer='Conv2d'),
                 **kwargs) -> None:
        dilations = tuple(dilations)
        if not dilations or not all(
                isinstance(d, int) and not isinstance(d, bool) and d > 0
                for d in dilations):
            raise ValueError('DeepLabV2Head dilations must be a non-empty '
                             f'sequence of positive ints, got {dilations!r}')
        if not isinstance(in_channels, int):
            raise ValueError('DeepLabV2Head takes one feature map: '
                             f'in_channels must be an int, got {in_channels!r}')
        super().__init__(
            in_channels,
            in_channels if channels is None else channels,
            num_classes=num_classes,
            dropout_ratio=dropout_ratio,
            init_cfg=init_cfg,
            **kwargs)
        self.dilations = dilations
        # the ASPP branches are the classifier: no 1x1 conv_seg on top
        del self.conv_seg
        self.aspp = nn.ModuleList(
            nn.Conv2d(
                self.in_channels,
                self.out_channels,
                kernel_size=3,
                padding=d,
                dilation=d,
                bias=True) for d in dilations)

    def forward(self, inputs: Tuple[Tensor]) -> Tensor:
        """Logits ``[N, num_classes, H, W]`` at the feature map's size."""
        x = self._transform_inputs(inputs)
        if self.dropout is not None:
            x = self.dropout(x)
        out = self.aspp[0](x)
        for conv in self.aspp[1:]:
            out = out + conv(x)
        return out

    def cls_seg(self, feat: Tensor) -> Tensor:
        raise NotImplementedError(
            'DeepLabV2Head has no conv_seg: its ASPP branches are the '
            'classifier (use forward)')


__all__ = ['DeepLabV2Head']

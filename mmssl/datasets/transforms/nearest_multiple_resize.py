"""Test-time resize of the image to the nearest multiple of a divisor, as
UniMatch V2 evaluates ViT (patch 14) models."""
import numpy as np
import torch
import torch.nn.functional as F
from mmcv.transforms import BaseTransform

from mmseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class ResizeToNearestMultiple(BaseTransform):
    """Resize the image so that each side is the nearest multiple of
    ``size_divisor``: ``int(s / d + 0.5) * d`` (at least ``d``), bilinear
    with ``align_corners=True``.

    This is UniMatch V2's ``evaluate(..., mode='original', multiplier=14)``
    (LiheYoung/UniMatch-V2 supervised.py:70-76); the model's postprocessing
    resizes the logits back to ``ori_shape`` (supervised.py:80-81 uses
    ``align_corners=True`` there too). mmseg's ``ResizeToMultiple`` rounds
    up instead (mmcv ``imresize_to_multiple``: ``ceil(s / d) * d``) and
    resizes with cv2's half-pixel bilinear, so a 300-pixel side becomes
    308 there and 294 here.

    The image comes out as float32 (the official interpolates the
    normalised float image; no rounding back to uint8). Put it before the
    annotations are loaded: labels stay at the original size, where the
    metric is computed.

    Required keys: ``img``. Modified: ``img``, ``img_shape``. Added:
    ``scale_factor`` (w, h).
    """

    def __init__(self, size_divisor: int = 14) -> None:
        if int(size_divisor) < 1:
            raise ValueError(
                f'size_divisor must be >= 1, got {size_divisor!r}')
        self.size_divisor = int(size_divisor)

    def target_size(self, h: int, w: int):
        d = self.size_divisor
        return (max(d, int(h / d + 0.5) * d), max(d, int(w / d + 0.5) * d))

    def transform(self, results: dict) -> dict:
        if results.get('gt_seg_map') is not None:
            raise ValueError(
                'ResizeToNearestMultiple resizes the image only; load the '
                'annotations after it (evaluation is at the original size)')
        img = results['img']
        h, w = img.shape[:2]
        nh, nw = self.target_size(h, w)
        if (nh, nw) != (h, w):
            x = torch.from_numpy(np.ascontiguousarray(img, np.float32))
            x = x.reshape(h, w, -1).permute(2, 0, 1)[None]
            x = F.interpolate(
                x, (nh, nw), mode='bilinear', align_corners=True)
            out = x[0].permute(1, 2, 0).numpy()
            img = out if img.ndim == 3 else out[..., 0]
        else:
            img = img.astype(np.float32)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['scale_factor'] = (nw / w, nh / h)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(size_divisor={self.size_divisor})'

"""torchvision-style photometric ops (UniMatch's strong views) on the
BGR uint8 images of OpenMMLab pipelines, without torchvision."""
import random
from typing import Sequence

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness
from PIL import Image, ImageEnhance, ImageFilter

from mmseg.registry import TRANSFORMS


def _to_pil(bgr: np.ndarray) -> Image.Image:
    return Image.fromarray(np.ascontiguousarray(bgr[..., ::-1]))


def _to_bgr(img: Image.Image) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(img.convert('RGB'))[..., ::-1])


def _adjust_hue(img: Image.Image, hue_factor: float) -> Image.Image:
    """torchvision ``F_pil.adjust_hue``: shift the HSV hue channel (uint8,
    wrapping) by ``hue_factor`` of a turn."""
    h, s, v = img.convert('HSV').split()
    np_h = np.array(h, dtype=np.uint8)
    with np.errstate(over='ignore'):
        np_h += np.array(hue_factor * 255).astype(np.uint8)
    return Image.merge('HSV', (Image.fromarray(np_h, 'L'), s, v)).convert('RGB')


@TRANSFORMS.register_module()
class ColorJitter(BaseTransform):
    """torchvision ``ColorJitter(brightness, contrast, saturation, hue)``
    applied with probability ``prob``: the four adjustments in a random
    order, factors uniform in ``[max(0, 1 - x), 1 + x]`` (hue: shift
    uniform in ``[-hue, hue]``), with PIL's ``ImageEnhance`` as
    torchvision's PIL backend. UniMatch's strong views
    (``dataset/semi.py``): ``if random.random() < 0.8:
    img = transforms.ColorJitter(0.5, 0.5, 0.5, 0.25)(img)``. Pixels only;
    labels and ``homography_matrix`` are untouched.
    """

    def __init__(self,
                 brightness: float = 0.5,
                 contrast: float = 0.5,
                 saturation: float = 0.5,
                 hue: float = 0.25,
                 prob: float = 0.8):
        for name, v in (('brightness', brightness), ('contrast', contrast),
                        ('saturation', saturation)):
            if v < 0:
                raise ValueError(f'ColorJitter.{name} must be >= 0, got {v}')
        if not 0.0 <= hue <= 0.5:
            raise ValueError(f'ColorJitter.hue must be in [0, 0.5], got {hue}')
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'ColorJitter.prob must be in [0, 1], got {prob}')
        self.brightness = float(brightness)
        self.contrast = float(contrast)
        self.saturation = float(saturation)
        self.hue = float(hue)
        self.prob = float(prob)

    @staticmethod
    def _factor(x: float) -> float:
        return random.uniform(max(0.0, 1.0 - x), 1.0 + x)

    @cache_randomness
    def _draw(self):
        if random.random() >= self.prob:
            return None
        order = list(np.random.permutation(4))
        return order, (self._factor(self.brightness),
                       self._factor(self.contrast),
                       self._factor(self.saturation),
                       random.uniform(-self.hue, self.hue))

    def transform(self, results: dict) -> dict:
        draw = self._draw()
        if draw is None:
            return results
        order, (b, c, s, h) = draw
        img = _to_pil(results['img'])
        for op in order:
            if op == 0 and self.brightness > 0:
                img = ImageEnhance.Brightness(img).enhance(b)
            elif op == 1 and self.contrast > 0:
                img = ImageEnhance.Contrast(img).enhance(c)
            elif op == 2 and self.saturation > 0:
                img = ImageEnhance.Color(img).enhance(s)
            elif op == 3 and self.hue > 0:
                img = _adjust_hue(img, h)
        results['img'] = _to_bgr(img)
        return results

    def __repr__(self):
        return (f'{type(self).__name__}(brightness={self.brightness}, '
                f'contrast={self.contrast}, saturation={self.saturation}, '
                f'hue={self.hue}, prob={self.prob})')


@TRANSFORMS.register_module()
class PILGaussianBlur(BaseTransform):
    """PIL ``ImageFilter.GaussianBlur(radius=sigma)`` with ``sigma``
    uniform in ``sigma_range``, with probability ``prob``: UniMatch's
    ``dataset/transform.py`` ``blur(img, p=0.5)`` (sigma 0.1-2.0)."""

    def __init__(self, prob: float = 0.5,
                 sigma_range: Sequence[float] = (0.1, 2.0)):
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'PILGaussianBlur.prob must be in [0, 1], got '
                             f'{prob}')
        if not 0.0 <= sigma_range[0] <= sigma_range[1]:
            raise ValueError('PILGaussianBlur.sigma_range must be 0 <= lo '
                             f'<= hi, got {sigma_range}')
        self.prob = float(prob)
        self.sigma_range = tuple(float(s) for s in sigma_range)

    @cache_randomness
    def _draw(self):
        if random.random() >= self.prob:
            return None
        return np.random.uniform(*self.sigma_range)

    def transform(self, results: dict) -> dict:
        sigma = self._draw()
        if sigma is None:
            return results
        img = _to_pil(results['img']).filter(
            ImageFilter.GaussianBlur(radius=sigma))
        results['img'] = _to_bgr(img)
        return results

    def __repr__(self):
        return (f'{type(self).__name__}(prob={self.prob}, '
                f'sigma_range={self.sigma_range})')

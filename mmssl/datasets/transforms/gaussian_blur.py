"""Random Gaussian blur of the image (DARS / PSPNet-semseg augmentation)."""
import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RandomGaussianBlur(BaseTransform):
    """Blur ``results['img']`` with a ``kernel_size`` Gaussian (sigma from
    the kernel size, OpenCV's rule) with probability ``prob``; labels are
    untouched. Defaults follow the DARS code's semseg transform (radius 5,
    p 0.5).
    """

    def __init__(self, prob: float = 0.5, kernel_size: int = 5):
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'RandomGaussianBlur: prob must be in [0, 1], '
                             f'got {prob}')
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError('RandomGaussianBlur: kernel_size must be a '
                             f'positive odd number, got {kernel_size}')
        self.prob = prob
        self.kernel_size = kernel_size

    def transform(self, results: dict) -> dict:
        if np.random.rand() < self.prob:
            k = self.kernel_size
            results['img'] = cv2.GaussianBlur(results['img'], (k, k), 0)
        return results

    def __repr__(self):
        return (f'{type(self).__name__}(prob={self.prob}, '
                f'kernel_size={self.kernel_size})')

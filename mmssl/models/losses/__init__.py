from .valid_cross_entropy import valid_pixel_cross_entropy

__all__ = ['valid_pixel_cross_entropy']

from .dinov2 import DINOv2EncoderLayer, DINOv2VisionTransformer
from .dinov2_keys import dinov2_to_mmssl, is_official_dinov2, mmssl_to_dinov2

__all__ = [
    'DINOv2EncoderLayer', 'DINOv2VisionTransformer', 'dinov2_to_mmssl',
    'mmssl_to_dinov2', 'is_official_dinov2'
]

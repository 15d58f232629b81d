from .semi_base import SemiBaseModel
from .semi_segmentor import SemiSegmentor

__all__ = ['SemiBaseModel', 'SemiSegmentor']

from .mix_semi_segmentor import MixSemiSegmentor
from .semi_segmentor import SemiSegmentor

__all__ = ['MixSemiSegmentor', 'SemiSegmentor']

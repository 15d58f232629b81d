from .mix_semi_segmentor import MixSemiSegmentor
from .semi_segmentor import SemiSegmentor
from .unimatch import UniMatch

__all__ = ['MixSemiSegmentor', 'SemiSegmentor', 'UniMatch']

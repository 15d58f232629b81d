from .mix_semi_segmentor import MixSemiSegmentor
from .semi_segmentor import SemiSegmentor
from .unimatch import UniMatch
from .unimatch_v2 import UniMatchV2

__all__ = ['MixSemiSegmentor', 'SemiSegmentor', 'UniMatch', 'UniMatchV2']

from . import core, decode_heads, losses, mixing, segmentors, utils  # noqa
from . import pseudo_label_filters  # noqa: F401
from . import multitask  # noqa: F401
from . import backbones  # noqa: F401
from .core import HOOK_INFO_KEY, SemiBaseModel  # noqa: F401

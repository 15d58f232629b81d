from . import decode_heads, losses, mixing, segmentors, utils  # noqa: F401
from . import pseudo_label_filters  # noqa: F401
from . import multitask  # noqa: F401

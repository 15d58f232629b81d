from . import losses, segmentors, utils  # noqa: F401

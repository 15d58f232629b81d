from . import segmentors, utils  # noqa: F401

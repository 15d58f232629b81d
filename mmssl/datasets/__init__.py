from . import samplers, transforms  # noqa: F401

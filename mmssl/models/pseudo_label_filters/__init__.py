from .online_alignment import OnlineDistributionAlignment  # noqa: F401

__all__ = ['OnlineDistributionAlignment']

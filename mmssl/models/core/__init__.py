"""The semi-supervised core: :class:`SemiBaseModel` and its step template."""
from .semi_base import HOOK_INFO_KEY, STEP_PREFIX, UNSUP_ON, SemiBaseModel

__all__ = ['HOOK_INFO_KEY', 'STEP_PREFIX', 'UNSUP_ON', 'SemiBaseModel']

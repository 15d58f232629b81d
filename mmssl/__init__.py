"""mmssl: semi-supervised segmentation plugin for OpenMMLab.

Importing this package registers every mmssl component into the mmseg
registries (and, through them, the mmengine root registries), so configs keep
``default_scope='mmseg'`` and may still use ``mmdet.``-prefixed types.
Configs load it with ``custom_imports = dict(imports=['mmssl'])``.
"""
import mmdet.models  # noqa: F401  (registers mmdet modules for 'mmdet.' types)
import mmseg.models  # noqa: F401

from . import datasets, engine, evaluation, models, utils  # noqa: F401
from .utils import register_checkpoint_safe_globals
from .version import __version__

# mmengine checkpoints resume under torch>=2.6 weights_only loading.
register_checkpoint_safe_globals()

__all__ = ['__version__']

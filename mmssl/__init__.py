"""mmssl: semi-supervised segmentation plugin for OpenMMLab.

Importing this package registers every mmssl component into the mmseg
registries (and, through them, the mmengine root registries), so configs keep
``default_scope='mmseg'`` and may still use ``mmdet.``-prefixed types.
Configs load it with ``custom_imports = dict(imports=['mmssl'])``.
"""
from .config_scope import register_config_scope

# ``_base_ = 'mmssl::path/cfg.py'`` from anywhere (see config_scope)
register_config_scope()

import mmdet.models  # noqa: F401,E402  (registers mmdet 'mmdet.' types)
import mmseg.models  # noqa: F401,E402

from . import datasets, engine, evaluation, models, utils  # noqa: F401,E402
from . import registry  # noqa: F401,E402  (the 'mmssl' scope, see there)
from .utils import register_checkpoint_safe_globals  # noqa: E402
from .version import __version__  # noqa: E402

# mmengine checkpoints resume under torch>=2.6 weights_only loading.
register_checkpoint_safe_globals()

__all__ = ['__version__']

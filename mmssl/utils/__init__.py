from .checkpoint_safety import (checkpoint_safe_globals,
                                register_checkpoint_safe_globals)
from .runtime import prepare_runtime, replace_sync_bn

__all__ = [
    'checkpoint_safe_globals', 'register_checkpoint_safe_globals',
    'prepare_runtime', 'replace_sync_bn'
]
from .config_checks import check_semi_config  # noqa: E402
from .export import export_segmentor, extract_submodel_state  # noqa: E402

__all__ += ['check_semi_config', 'export_segmentor', 'extract_submodel_state']

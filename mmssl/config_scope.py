"""``_base_ = 'mmssl::path/cfg.py'`` in any config, from any directory.

mmssl ships its configs inside the package as ``mmssl/.mim/configs``
(setup.py), as MMSegmentation and MMDetection do. mmengine resolves
``pkg::`` bases (``mmengine/config/config.py`` ``_get_cfg_path``) only for
the packages in its ``MODULE2PACKAGE`` table, and finds the package folder
with ``get_installed_path``, which looks next to the distribution's metadata:
wrong for a PEP 660 editable install (pip's default ``pip install -e .``,
whose metadata sits in site-packages while the code stays in the checkout).
:func:`register_config_scope` adds mmssl to the table and answers
``get_installed_path('mmssl')`` with the folder of the imported package, so
the scope works for wheels, ``--target`` installs and editable installs
alike. The objects of such a base get ``_scope_='mmssl'``: see
:mod:`mmssl.registry`. A config with an ``mmssl::`` base therefore has to be
loaded after ``import mmssl``; mmssl's ``tools/train.py`` / ``test.py`` (and
so ``mim train/test mmssl``) import it first.
"""
import os.path as osp

_PACKAGE_DIR = osp.dirname(osp.abspath(__file__))


def register_config_scope() -> None:
    from mmengine.config import config as _config
    from mmengine.config import utils as _utils
    _utils.MODULE2PACKAGE.setdefault('mmssl', 'mmssl')
    original = _config.get_installed_path
    if getattr(original, '_mmssl', False):
        return

    def get_installed_path(package: str) -> str:
        if package == 'mmssl':
            return _PACKAGE_DIR
        return original(package)

    get_installed_path._mmssl = True
    _config.get_installed_path = get_installed_path

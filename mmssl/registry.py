"""The ``mmssl`` registry scope: one child of each mmseg registry.

mmssl registers its components into mmseg's registries (configs keep
``default_scope='mmseg'``). A config that inherits ``_base_ =
'mmssl::path/cfg.py'`` (the configs shipped in ``mmssl/.mim``) gets
``_scope_='mmssl'`` on every object dict of that base (mmengine marks
external bases with their package's scope), and mmengine then builds those
objects from the registry of scope ``mmssl``, importing ``mmssl.registry``
to find it. These children own nothing: a lookup falls through to mmseg's
registry and its parents, so ``mmssl`` resolves exactly as ``mmseg`` does
(``mmdet.``-prefixed types included).
"""
from mmengine.registry import Registry

from mmseg import registry as _mmseg_registry

_CHILDREN = {}
for _name in dir(_mmseg_registry):
    _parent = getattr(_mmseg_registry, _name)
    if isinstance(_parent, Registry) and _name.isupper():
        _CHILDREN[_name] = (_parent._children.get('mmssl') or Registry(
            _parent.name, parent=_parent, scope='mmssl',
            # mmseg's lazy import locations (e.g. mmseg.evaluation for
            # METRICS: a child's lookup reads its parent's table without
            # triggering the parent's imports), and a location at all so
            # that mmengine does not fall back to calling
            # mmssl.utils.register_all_modules (mmssl registers on import)
            locations=['mmssl'] + list(_parent._locations)))
globals().update(_CHILDREN)

__all__ = sorted(_CHILDREN)

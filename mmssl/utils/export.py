"""Turn an mmssl checkpoint into a plain mmseg segmentor checkpoint."""
import os
import os.path as osp
from typing import Optional

import torch
from mmengine.runner.checkpoint import _load_checkpoint

from .checkpoint_safety import register_checkpoint_safe_globals


def extract_submodel_state(checkpoint: dict, which: str = 'teacher') -> dict:
    """``checkpoint['state_dict']`` entries of ``which``, prefix removed.

    The one place where ``teacher.`` / ``student.`` is stripped from an mmssl
    checkpoint (``export_segmentor`` and the pseudo-labeling tool's
    :func:`mmssl.pseudo_labeling.model_loading.checkpoint_state`)."""
    state = checkpoint.get('state_dict', checkpoint)
    prefix = f'{which}.'
    out = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    if not out:
        heads = sorted({k.split('.', 1)[0] for k in state})
        raise KeyError(f"checkpoint has no '{which}.*' weights (top-level "
                       f'modules: {heads}); is it an mmssl checkpoint?')
    return out


def load_checkpoint_file(path: str) -> dict:
    """``path`` loaded on the CPU with mmssl's allow-listed types
    (``weights_only`` loading stays on)."""
    register_checkpoint_safe_globals()
    return _load_checkpoint(path, map_location='cpu')


def has_submodel(checkpoint: dict, which: str = 'teacher') -> bool:
    """Whether ``checkpoint`` holds ``which.*`` weights (an mmssl semi
    checkpoint)."""
    state = checkpoint.get('state_dict', checkpoint)
    return any(k.startswith(f'{which}.') for k in state)


def export_segmentor(src: str,
                     dst: str,
                     which: str = 'teacher',
                     dataset_meta: Optional[dict] = None) -> dict:
    """Write ``which`` of the mmssl checkpoint ``src`` as a plain checkpoint.

    The result holds only ``meta`` and ``state_dict`` (no optimizer or
    message hub), so mmseg's ``EncoderDecoder`` configs and test tool load it
    directly, with ``weights_only`` loading. Missing folders of ``dst`` are
    created.
    """
    if which not in ('teacher', 'student'):
        raise ValueError(f"which must be 'teacher' or 'student', got {which!r}")
    ckpt = load_checkpoint_file(src)
    meta = dict(ckpt.get('meta', {}))
    keep = {k: meta[k] for k in ('dataset_meta', 'mmseg_version', 'iter',
                                 'epoch', 'seed') if k in meta}
    if dataset_meta is not None:
        keep['dataset_meta'] = dataset_meta
    keep.update(mmssl_source=src, mmssl_exported=which)
    out = dict(meta=keep, state_dict=extract_submodel_state(ckpt, which))
    if osp.dirname(dst):
        os.makedirs(osp.dirname(dst), exist_ok=True)
    torch.save(out, dst)
    return out

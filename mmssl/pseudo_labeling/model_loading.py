"""The segmentor that pseudo-labels: a plain mmseg model, or the teacher of
an mmssl semi-supervised checkpoint."""
import copy
import os

import torch
from mmengine.config import Config, ConfigDict
from mmengine.runner.checkpoint import load_state_dict

from mmssl.utils import replace_sync_bn
from mmssl.utils.export import (extract_submodel_state, has_submodel,
                                load_checkpoint_file)


def segmentor_config(cfg: Config) -> ConfigDict:
    """The mmseg segmentor config of ``cfg.model``: itself, or for a
    ``SemiSegmentor`` its ``segmentor`` with the wrapped preprocessor;
    pretrained weights and ``init_cfg`` are dropped (the checkpoint
    replaces them) and SyncBN becomes BN on a host without CUDA."""
    model = copy.deepcopy(cfg.model)
    if model.get('segmentor') is not None:
        seg = copy.deepcopy(model['segmentor'])
        if seg.get('data_preprocessor') is None:
            pre = model.get('data_preprocessor') or {}
            seg['data_preprocessor'] = pre.get('data_preprocessor', pre)
        model = seg
    model['pretrained'] = None
    model.pop('init_cfg', None)
    if not torch.cuda.is_available():
        replace_sync_bn(model)
    return ConfigDict(model)


def checkpoint_state(path: str) -> dict:
    """The segmentor weights of a checkpoint: ``teacher.*`` of an mmssl
    semi checkpoint (prefix removed), else the whole ``state_dict``."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f'checkpoint {path} does not exist')
    ckpt = load_checkpoint_file(path)
    if has_submodel(ckpt, 'teacher'):
        return extract_submodel_state(ckpt, 'teacher')
    return ckpt.get('state_dict', ckpt)


def build_segmentor(cfg: Config, checkpoint: str, device='cpu'):
    """The segmentor of ``cfg`` with the weights of ``checkpoint`` (strict:
    a missing or unexpected key raises, naming the checkpoint)."""
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    model = MODELS.build(segmentor_config(cfg))
    state = checkpoint_state(checkpoint)
    try:
        load_state_dict(model, state, strict=True)
    except RuntimeError as e:
        raise RuntimeError(f'checkpoint {checkpoint} does not fit the '
                           f'segmentor of {cfg.filename}: {e}') from None
    return model.to(device).eval()

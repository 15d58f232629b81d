# Copyright (c) mmssl contributors. All rights reserved.
"""Key conversion between the official DINOv2 checkpoints
(facebookresearch/dinov2, ``dinov2_vit{s,b,l}14_pretrain.pth``, also what
UniMatch V2 loads into its ``model.backbone``) and
:class:`~mmssl.models.backbones.DINOv2VisionTransformer` (mmseg's
``VisionTransformer`` with DINOv2's layer scale).

Official layout (``dinov2/models/vision_transformer.py``,
``dinov2/layers/{block,attention,mlp,layer_scale,patch_embed}.py``)::

    cls_token                 (1, 1, C)
    pos_embed                 (1, 1 + 37*37, C)     # trained at 518 = 37x14
    mask_token                (1, C)                # iBOT masking only
    patch_embed.proj.{weight,bias}                  # Conv2d 14x14 stride 14
    blocks.N.norm1.{weight,bias}
    blocks.N.attn.qkv.{weight,bias}   (3C, C)       # rows [q; k; v]
    blocks.N.attn.proj.{weight,bias}
    blocks.N.ls1.gamma        (C,)
    blocks.N.norm2.{weight,bias}
    blocks.N.mlp.fc1.{weight,bias}    (4C, C)
    blocks.N.mlp.fc2.{weight,bias}
    blocks.N.ls2.gamma        (C,)
    norm.{weight,bias}

Training checkpoints built with ``block_chunks > 0`` name blocks
``blocks.<chunk>.<N>.`` (N global): both spellings are read.

``mask_token`` is used only by DINOv2's masked-image pre-training
(``prepare_tokens_with_masks(x, masks)``); UniMatch V2 never passes masks,
so the token is dropped (a parameter that never receives a gradient would
also break DDP with ``find_unused_parameters=False``). Register tokens
(``dinov2_*_reg4``) and the giant model's SwiGLU FFN (``mlp.w12/w3``) are
not supported: they raise with the offending key.
"""
import re
from collections import OrderedDict
from typing import Dict, Mapping

from torch import Tensor

# official block sub-key -> mmssl layer sub-key
_BLOCK_MAP = OrderedDict([
    ('norm1.weight', 'ln1.weight'),
    ('norm1.bias', 'ln1.bias'),
    ('attn.qkv.weight', 'attn.attn.in_proj_weight'),
    ('attn.qkv.bias', 'attn.attn.in_proj_bias'),
    ('attn.proj.weight', 'attn.attn.out_proj.weight'),
    ('attn.proj.bias', 'attn.attn.out_proj.bias'),
    ('ls1.gamma', 'gamma1.weight'),
    ('norm2.weight', 'ln2.weight'),
    ('norm2.bias', 'ln2.bias'),
    ('mlp.fc1.weight', 'ffn.layers.0.0.weight'),
    ('mlp.fc1.bias', 'ffn.layers.0.0.bias'),
    ('mlp.fc2.weight', 'ffn.layers.1.weight'),
    ('mlp.fc2.bias', 'ffn.layers.1.bias'),
    ('ls2.gamma', 'ffn.gamma2.weight'),
])
_TOP_MAP = OrderedDict([
    ('cls_token', 'cls_token'),
    ('pos_embed', 'pos_embed'),
    ('patch_embed.proj.weight', 'patch_embed.projection.weight'),
    ('patch_embed.proj.bias', 'patch_embed.projection.bias'),
    ('norm.weight', 'ln1.weight'),
    ('norm.bias', 'ln1.bias'),
])
_DROPPED = ('mask_token', )
_BLOCK_RE = re.compile(r'^blocks\.(?:\d+\.)?(\d+)\.(.+)$')
_LAYER_RE = re.compile(r'^layers\.(\d+)\.(.+)$')
_INV_BLOCK_MAP = {v: k for k, v in _BLOCK_MAP.items()}
_INV_TOP_MAP = {v: k for k, v in _TOP_MAP.items()}


def is_official_dinov2(state_dict: Mapping[str, Tensor]) -> bool:
    """Whether ``state_dict`` uses the official DINOv2 key names."""
    return any(k.startswith('blocks.') for k in state_dict) or \
        'patch_embed.proj.weight' in state_dict


def dinov2_to_mmssl(state_dict: Mapping[str, Tensor],
                    strict: bool = True) -> Dict[str, Tensor]:
    """Official DINOv2 state dict -> ``DINOv2VisionTransformer`` keys.

    Tensors are passed through unchanged (same objects, no copy):
    ``attn.qkv`` stacks q, k, v along the output dimension exactly as
    ``nn.MultiheadAttention.in_proj_weight`` does, and both split heads as
    contiguous ``C / num_heads`` blocks, so no permutation is needed.

    Args:
        state_dict: the official checkpoint (the dict ``torch.load``
            returns for ``dinov2_vit*14_pretrain.pth``).
        strict: raise on a key that is neither mapped nor known to be
            unused (``mask_token``). Defaults to True.
    """
    out = OrderedDict()
    for key, value in state_dict.items():
        if key in _TOP_MAP:
            out[_TOP_MAP[key]] = value
            continue
        if key in _DROPPED:
            continue
        m = _BLOCK_RE.match(key)
        if m and m.group(2) in _BLOCK_MAP:
            out[f'layers.{int(m.group(1))}.{_BLOCK_MAP[m.group(2)]}'] = value
            continue
        if strict:
            hint = ''
            if key == 'register_tokens':
                hint = ' (DINOv2 with registers is not supported)'
            elif '.mlp.w12' in key or '.mlp.w3' in key:
                hint = ' (SwiGLU FFN of ViT-g is not supported)'
            raise KeyError(f'unexpected key in a DINOv2 checkpoint: {key!r}'
                           f'{hint}')
    return out


def mmssl_to_dinov2(state_dict: Mapping[str, Tensor]) -> Dict[str, Tensor]:
    """The inverse of :func:`dinov2_to_mmssl` (without ``mask_token``,
    which the mmssl encoder does not have); blocks as ``blocks.N.``."""
    out = OrderedDict()
    for key, value in state_dict.items():
        if key in _INV_TOP_MAP:
            out[_INV_TOP_MAP[key]] = value
            continue
        m = _LAYER_RE.match(key)
        if m and m.group(2) in _INV_BLOCK_MAP:
            out[f'blocks.{int(m.group(1))}.{_INV_BLOCK_MAP[m.group(2)]}'] = \
                value
            continue
        raise KeyError(f'unexpected key for DINOv2VisionTransformer: {key!r}')
    return out

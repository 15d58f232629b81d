# Copyright (c) mmssl contributors. All rights reserved.
"""DINOv2 encoder for mmseg segmentors: mmseg's ``VisionTransformer`` with
the three things DINOv2 (Oquab et al., TMLR 2024) and UniMatch V2's DPT
(Yang et al., TPAMI 2025) need and mmseg's ViT does not have:

1. layer scale on both residual branches (``ls1``, ``ls2``): mmcv's
   ``LayerScale`` after the attention (``gamma1``) and mmcv ``FFN``'s own
   ``layer_scale_init_value`` (``ffn.gamma2``);
2. DINOv2's position-embedding interpolation (bicubic with the
   ``interpolate_offset`` 0.1 kludge, no antialias; the stored 37x37 grid is
   kept and resized at every forward to the input's patch grid);
3. the final LayerNorm applied to EVERY output layer, as
   ``get_intermediate_layers(..., norm=True)`` does, which UniMatch V2's DPT
   reads (mmseg's ViT normalises only the last layer).

Each output is ``[patch_featmap (B, C, H/14, W/14), cls_token (B, C)]``, the
pair mmseg's ``DPTHead`` expects. Everything else (patch embedding,
attention, FFN, LayerNorms, freezing, ``with_cp``) is mmseg's / mmcv's code.
See ``docs/unimatch_v2.md``.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.utils.checkpoint as cp
from mmcv.cnn.bricks.scale import LayerScale
from mmengine.logging import print_log
from mmengine.model import ModuleList
from mmengine.runner.checkpoint import CheckpointLoader

from mmseg.models.backbones.vit import (TransformerEncoderLayer,
                                        VisionTransformer)
from mmseg.registry import MODELS
from .dinov2_keys import dinov2_to_mmssl, is_official_dinov2


class DINOv2EncoderLayer(TransformerEncoderLayer):
    """mmseg's ViT encoder layer with DINOv2's layer scale::

        x = x + gamma1 * attn(ln1(x))
        x = x + gamma2 * ffn(ln2(x))

    Stochastic depth (``drop_path_rate``) is applied to both branches (mmseg's
    layer applies it to the FFN only). UniMatch V2 uses 0.
    """

    def __init__(self,
                 embed_dims,
                 num_heads,
                 feedforward_channels,
                 layer_scale_init_value=1.0,
                 drop_path_rate=0.,
                 **kwargs):
        dp = dict(type='DropPath', drop_prob=drop_path_rate) \
            if drop_path_rate > 0 else None
        super().__init__(
            embed_dims=embed_dims,
            num_heads=num_heads,
            feedforward_channels=feedforward_channels,
            drop_path_rate=drop_path_rate,
            attn_cfg=dict(dropout_layer=dp),
            ffn_cfg=dict(layer_scale_init_value=layer_scale_init_value),
            **kwargs)
        self.gamma1 = LayerScale(embed_dims, scale=layer_scale_init_value) \
            if layer_scale_init_value > 0 else nn.Identity()

    def forward(self, x):

        def _inner_forward(x):
            # mmcv's MultiheadAttention returns `identity + branch`: identity
            # 0 gives the branch alone, scaled before the residual sum (its
            # DropPath is a per-sample 0/1 factor, so the order is free).
            x = x + self.gamma1(self.attn(self.norm1(x), identity=0))
            # mmcv's FFN applies gamma2 before adding identity
            return self.ffn(self.norm2(x), identity=x)

        if self.with_cp and x.requires_grad:
            return cp.checkpoint(_inner_forward, x, use_reentrant=False)
        return _inner_forward(x)


@MODELS.register_module()
class DINOv2VisionTransformer(VisionTransformer):
    """DINOv2 ViT (patch 14, layer scale, no registers) on mmseg's
    ``VisionTransformer``.

    Official checkpoints load through ``init_cfg=dict(type='Pretrained',
    checkpoint=...)`` either converted with
    ``tools/model_converters/dinov2_to_mmssl.py`` or as downloaded (the
    official layout is recognised and converted on the fly); loading is
    strict: a missing or unexpected key raises.

    Settings of UniMatch V2 (``model/backbone/dinov2.py`` ``DINOv2()``,
    ``model/semseg/dpt.py`` ``intermediate_layer_idx``):

    ======  ==========  ==========  =========  ==============
    model   embed_dims  num_layers  num_heads  out_indices
    ======  ==========  ==========  =========  ==============
    ViT-S   384         12          6          (2, 5, 8, 11)
    ViT-B   768         12          12         (2, 5, 8, 11)
    ViT-L   1024        24          16         (4, 11, 17, 23)
    ======  ==========  ==========  =========  ==============

    Args:
        img_size (int): size the stored position embedding was trained for
            (its grid is ``img_size // patch_size`` squared). 518 for the
            official checkpoints (37x37); inputs of any size that is a
            multiple of ``patch_size`` are accepted (the embedding is
            interpolated at every forward).
        patch_size (int): 14.
        embed_dims, num_layers, num_heads, mlp_ratio: the ViT size.
        out_indices (Sequence[int]): layers whose output is returned
            (0-based; negative counts from the end).
        layer_scale_init_value (float): initial layer-scale value (DINOv2's
            ``init_values``; UniMatch V2 builds with 1.0 and then loads the
            trained values). 0 disables layer scale.
        norm_outputs (bool): apply the final LayerNorm to every output
            (``get_intermediate_layers(norm=True)``). Defaults to True.
        interpolate_offset (float): DINOv2's offset added to the target grid
            before computing the bicubic scale factor (0.1 in DINOv2 and
            UniMatch V2; 0 = resize to the exact size).
        interpolate_antialias (bool): antialias in that interpolation
            (False in DINOv2 and UniMatch V2).
        frozen_exclude (list[str]): mmseg's: parameters whose name contains
            none of these are frozen; ``['all']`` (default) freezes nothing,
            ``[]`` freezes the whole encoder (UniMatch V2's
            ``lock_backbone: True``).
        Other arguments as mmseg's ``VisionTransformer``.
    """

    def __init__(self,
                 img_size=518,
                 patch_size=14,
                 in_channels=3,
                 embed_dims=384,
                 num_layers=12,
                 num_heads=6,
                 mlp_ratio=4,
                 out_indices=(2, 5, 8, 11),
                 qkv_bias=True,
                 drop_rate=0.,
                 attn_drop_rate=0.,
                 drop_path_rate=0.,
                 layer_scale_init_value=1.0,
                 norm_outputs=True,
                 interpolate_offset=0.1,
                 interpolate_antialias=False,
                 norm_cfg=dict(type='LN', eps=1e-6),
                 act_cfg=dict(type='GELU'),
                 norm_eval=False,
                 with_cp=False,
                 frozen_exclude=['all'],
                 init_cfg=None):
        if isinstance(out_indices, int):
            out_indices = [out_indices]
        out_indices = [i + num_layers if i < 0 else i for i in out_indices]
        if not all(0 <= i < num_layers for i in out_indices):
            raise ValueError(f'out_indices {out_indices} outside '
                             f'[0, {num_layers})')
        # mmseg's ViT builds the patch embedding, tokens, final norm; its
        # layers (num_layers=0 there) are DINOv2's, built below.
        super().__init__(
            img_size=img_size,
            patch_size=patch_size,
            patch_pad='corner',
            in_channels=in_channels,
            embed_dims=embed_dims,
            num_layers=0,
            num_heads=num_heads,
            mlp_ratio=mlp_ratio,
            out_indices=list(out_indices),
            qkv_bias=qkv_bias,
            drop_rate=drop_rate,
            with_cls_token=True,
            output_cls_token=True,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg,
            patch_norm=False,
            patch_bias=True,
            pre_norm=False,
            final_norm=True,
            interpolate_mode='bicubic',
            norm_eval=norm_eval,
            with_cp=with_cp,
            frozen_exclude=['all'],
            init_cfg=init_cfg)
        self.num_layers = num_layers
        self.norm_outputs = norm_outputs
        self.interpolate_offset = interpolate_offset
        self.interpolate_antialias = interpolate_antialias
        # stochastic depth decay rule (torch.linspace's values, in Python)
        dpr = [
            drop_path_rate * i / max(num_layers - 1, 1)
            for i in range(num_layers)
        ]
        self.layers = ModuleList([
            DINOv2EncoderLayer(
                embed_dims=embed_dims,
                num_heads=num_heads,
                feedforward_channels=mlp_ratio * embed_dims,
                layer_scale_init_value=layer_scale_init_value,
                drop_rate=drop_rate,
                attn_drop_rate=attn_drop_rate,
                drop_path_rate=dpr[i],
                qkv_bias=qkv_bias,
                act_cfg=act_cfg,
                norm_cfg=norm_cfg,
                with_cp=with_cp,
                batch_first=True) for i in range(num_layers)
        ])
        self.frozen_exclude = frozen_exclude
        self._freeze()

    def init_weights(self):
        cfg = self.init_cfg
        if not (isinstance(cfg, dict) and cfg.get('type') == 'Pretrained'):
            return super().init_weights()
        ckpt = CheckpointLoader.load_checkpoint(
            cfg['checkpoint'], map_location='cpu', logger='current')
        state_dict = ckpt.get('state_dict', ckpt)
        prefix = cfg.get('prefix')
        if prefix:
            prefix = prefix if prefix.endswith('.') else prefix + '.'
            state_dict = {
                k[len(prefix):]: v
                for k, v in state_dict.items() if k.startswith(prefix)
            }
        if is_official_dinov2(state_dict):
            print_log(f'{cfg["checkpoint"]}: official DINOv2 layout, '
                      'converting keys', logger='current')
            state_dict = dinov2_to_mmssl(state_dict)
        pos = state_dict.get('pos_embed')
        if pos is not None and pos.shape != self.pos_embed.shape:
            raise ValueError(
                f'pos_embed of {cfg["checkpoint"]} has shape '
                f'{tuple(pos.shape)}, the model {tuple(self.pos_embed.shape)}'
                f': set img_size to the checkpoint\'s (518 for the official '
                f'DINOv2); inputs of other sizes are interpolated at forward')
        self.load_state_dict(state_dict, strict=True)
        self._is_init = True

    def train(self, mode=True):
        """mmseg's ``train`` (``norm_eval``) returning ``self`` as
        ``nn.Module.train`` does (mmseg's returns None)."""
        super().train(mode)
        return self

    def interpolate_pos_encoding(self, num_tokens, hw_shape):
        """The position embedding (with its class-token entry) for a patch
        grid ``hw_shape``: DINOv2's ``interpolate_pos_encoding``
        (``dinov2/models/vision_transformer.py``), the stored square grid
        resized bicubically with scale factor ``(h + offset) / M``."""
        pos_embed = self.pos_embed
        n_stored = pos_embed.shape[1] - 1
        h, w = hw_shape
        if num_tokens - 1 == n_stored and h == w:
            return pos_embed
        m = int(math.sqrt(n_stored))
        assert m * m == n_stored, 'stored position grid is not square'
        dim = pos_embed.shape[-1]
        patch_pos = pos_embed[:, 1:].float().reshape(1, m, m, dim).permute(
            0, 3, 1, 2)
        if self.interpolate_offset:
            kwargs = dict(
                scale_factor=((h + self.interpolate_offset) / m,
                              (w + self.interpolate_offset) / m))
        else:
            kwargs = dict(size=(h, w))
        patch_pos = F.interpolate(
            patch_pos,
            mode='bicubic',
            antialias=self.interpolate_antialias,
            **kwargs)
        assert tuple(patch_pos.shape[-2:]) == (h, w)
        patch_pos = patch_pos.permute(0, 2, 3, 1).reshape(1, h * w, dim)
        return torch.cat((pos_embed[:, :1].float(), patch_pos),
                         dim=1).to(pos_embed.dtype)

    def forward(self, inputs):
        B = inputs.shape[0]
        x, hw_shape = self.patch_embed(inputs)
        x = torch.cat((self.cls_token.expand(B, -1, -1), x), dim=1)
        x = x + self.interpolate_pos_encoding(x.shape[1], hw_shape).to(
            x.dtype)
        x = self.drop_after_pos(x)
        outs = []
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i in self.out_indices:
                y = self.norm1(x) if (self.norm_outputs or i == last) else x
                featmap = y[:, 1:].reshape(B, hw_shape[0], hw_shape[1],
                                           -1).permute(0, 3, 1,
                                                       2).contiguous()
                outs.append([featmap, y[:, 0]])
        return tuple(outs)

#!/usr/bin/env python
# Copyright (c) mmssl contributors. All rights reserved.
"""Convert an official DINOv2 checkpoint to mmssl's DINOv2VisionTransformer.

The official weights (facebookresearch/dinov2; the ones UniMatch V2's README
links: dinov2_vits14_pretrain.pth, dinov2_vitb14_pretrain.pth,
dinov2_vitl14_pretrain.pth) are a plain state dict in the official key layout
(``blocks.N.attn.qkv.weight``, ``blocks.N.ls1.gamma``, ...). This writes the
same tensors under the encoder's keys (``layers.N.attn.attn.in_proj_weight``,
``layers.N.gamma1.weight``, ...; ``mask_token`` dropped), the file the
``configs/_base_/models/dpt_dinov2-*.py`` ``init_cfg`` points at::

    python tools/model_converters/dinov2_to_mmssl.py \
        pretrained/dinov2_vits14_pretrain.pth \
        pretrained/dinov2_vits14_mmssl.pth

The key mapping is ``mmssl.models.backbones.dinov2_keys``.
"""
import argparse
import os
import os.path as osp

import torch


def convert(src: str, dst: str) -> dict:
    """Read the official checkpoint ``src`` (safely: tensors only), write
    the converted state dict to ``dst`` and return it."""
    from mmssl.models.backbones.dinov2_keys import dinov2_to_mmssl
    state_dict = torch.load(src, map_location='cpu', weights_only=True)
    if 'state_dict' in state_dict and isinstance(state_dict['state_dict'],
                                                 dict):
        state_dict = state_dict['state_dict']
    converted = dinov2_to_mmssl(state_dict)
    if osp.dirname(dst):
        os.makedirs(osp.dirname(dst), exist_ok=True)
    torch.save(converted, dst)
    return converted


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='official DINOv2 checkpoint (.pth)')
    parser.add_argument('dst', help='output path')
    args = parser.parse_args()
    converted = convert(args.src, args.dst)
    n_layers = len({k.split('.')[1] for k in converted
                    if k.startswith('layers.')})
    dim = converted['cls_token'].shape[-1]
    print(f'{args.dst}: {len(converted)} tensors, {n_layers} layers, '
          f'embed_dims {dim}, pos_embed {tuple(converted["pos_embed"].shape)}')


if __name__ == '__main__':
    main()

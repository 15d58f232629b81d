"""UniMatch V2's model parts: the DINOv2 encoder (mmseg's ViT + layer scale,
``DINOv2VisionTransformer``), the official-checkpoint converter and the
``dpt_dinov2-{s,b,l}`` base configs (mmseg ``EncoderDecoder`` + ``DPTHead``).

No weights can be downloaded here, so the official checkpoint is played by
``_OfficialDINOv2`` below: a tiny module tree with the official parameter
names and shapes, written from facebookresearch/dinov2
(``dinov2/models/vision_transformer.py`` ``DinoVisionTransformer``:
``cls_token``, ``pos_embed``, ``mask_token``, ``patch_embed.proj``,
``blocks``, ``norm``; ``dinov2/layers/block.py`` ``Block``: ``norm1``,
``attn``, ``ls1``, ``norm2``, ``mlp``, ``ls2``; ``attention.py``: ``qkv``,
``proj``; ``mlp.py``: ``fc1``, ``fc2``; ``layer_scale.py``: ``gamma``),
whose forward is the official equations (``prepare_tokens_with_masks``,
``interpolate_pos_encoding``, ``Block.forward`` in eval,
``get_intermediate_layers(n, norm=True)``), randomly initialised and saved
in the official key layout.
"""
import math
import os.path as osp
import sys

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine import Config
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData

import mmssl  # noqa: F401  (registers DINOv2VisionTransformer)
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from mmssl.models.backbones import (DINOv2VisionTransformer, dinov2_to_mmssl,
                                    mmssl_to_dinov2)

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(ROOT, 'tools', 'model_converters'))
from dinov2_to_mmssl import convert  # noqa: E402

TINY = dict(embed_dims=48, num_layers=4, num_heads=2)


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmseg')


# ---------------------------------------------------------------- reference
class _LayerScale(nn.Module):

    def __init__(self, dim):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(dim))


class _Attention(nn.Module):

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):  # dinov2/layers/attention.py Attention.forward
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.heads,
                                  C // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0] * (C // self.heads)**-0.5, qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(B, N, C))


class _Mlp(nn.Module):

    def __init__(self, dim):
        super().__init__()
        self.fc1 = nn.Linear(dim, 4 * dim)
        self.fc2 = nn.Linear(4 * dim, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class _Block(nn.Module):

    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = _Attention(dim, heads)
        self.ls1 = _LayerScale(dim)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = _Mlp(dim)
        self.ls2 = _LayerScale(dim)

    def forward(self, x):  # dinov2/layers/block.py Block.forward (eval)
        x = x + self.attn(self.norm1(x)) * self.ls1.gamma
        return x + self.mlp(self.norm2(x)) * self.ls2.gamma


class _PatchEmbed(nn.Module):

    def __init__(self, dim, patch):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, patch, patch)


class _OfficialDINOv2(nn.Module):
    """The official DinoVisionTransformer's parameters and eval forward
    (block_chunks=0, no registers, interpolate_offset 0.1, no antialias)."""

    def __init__(self, img_size, dim=48, depth=4, heads=2, patch=14):
        super().__init__()
        self.patch_size = patch
        n = (img_size // patch)**2
        self.patch_embed = _PatchEmbed(dim, patch)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, dim))
        self.blocks = nn.ModuleList(_Block(dim, heads) for _ in range(depth))
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.mask_token = nn.Parameter(torch.zeros(1, dim))

    def interpolate_pos_encoding(self, x, w, h):
        npatch, N = x.shape[1] - 1, self.pos_embed.shape[1] - 1
        if npatch == N and w == h:
            return self.pos_embed
        dim = x.shape[-1]
        w0, h0 = w // self.patch_size, h // self.patch_size
        M = int(math.sqrt(N))
        patch_pos = F.interpolate(
            self.pos_embed[:, 1:].reshape(1, M, M, dim).permute(0, 3, 1, 2),
            scale_factor=((w0 + 0.1) / M, (h0 + 0.1) / M),
            mode='bicubic',
            antialias=False)
        assert (w0, h0) == patch_pos.shape[-2:]
        patch_pos = patch_pos.permute(0, 2, 3, 1).view(1, -1, dim)
        return torch.cat((self.pos_embed[:, :1], patch_pos), dim=1)

    def get_intermediate_layers(self, x, n):
        B, nc, w, h = x.shape  # (sic: w is dim 2, as the official names it)
        t = self.patch_embed.proj(x).flatten(2).transpose(1, 2)
        t = torch.cat((self.cls_token.expand(B, -1, -1), t), dim=1)
        t = t + self.interpolate_pos_encoding(t, w, h)
        outs = []
        for i, blk in enumerate(self.blocks):
            t = blk(t)
            if i in n:
                outs.append(self.norm(t))
        return [(o[:, 1:].reshape(B, w // self.patch_size,
                                  h // self.patch_size,
                                  -1).permute(0, 3, 1, 2), o[:, 0])
                for o in outs]


def _random_official(img_size, seed=0, **kw):
    torch.manual_seed(seed)
    ref = _OfficialDINOv2(img_size, **kw)
    with torch.no_grad():
        for p in ref.parameters():  # every tensor distinct and non-trivial
            p.copy_(torch.randn_like(p) * 0.2 + (1.0 if p.dim() == 1 and
                                                 p.numel() > 1 else 0.0))
    return ref.eval()


def _encoder(img_size, **kw):
    cfg = dict(type='DINOv2VisionTransformer', img_size=img_size,
               out_indices=(0, 1, 2, 3), **TINY)
    cfg.update(kw)
    return MODELS.build(cfg)


# -------------------------------------------------------------- converter
def test_converter_round_trip_and_strict_load(tmp_path):
    ref = _random_official(70)
    official = ref.state_dict()
    src, dst = str(tmp_path / 'official.pth'), str(tmp_path / 'mmssl.pth')
    torch.save(official, src)
    converted = convert(src, dst)
    assert torch.load(dst, weights_only=True).keys() == converted.keys()

    enc = _encoder(70)
    enc.load_state_dict(converted, strict=True)  # every key, every shape
    assert set(converted) == set(enc.state_dict())

    back = mmssl_to_dinov2(enc.state_dict())
    assert set(back) == set(official) - {'mask_token'}
    for k, v in back.items():
        assert torch.equal(v, official[k]), k

    # chunked training checkpoints (blocks.<chunk>.<N>.) read the same
    chunked = {(k.replace('blocks.', 'blocks.0.', 1)
                if k.startswith('blocks.') else k): v
               for k, v in official.items()}
    assert dinov2_to_mmssl(chunked).keys() == converted.keys()
    # unsupported variants fail with the key named
    with pytest.raises(KeyError, match='register_tokens'):
        dinov2_to_mmssl({**official, 'register_tokens': torch.zeros(1)})
    with pytest.raises(KeyError, match='SwiGLU'):
        dinov2_to_mmssl({**official, 'blocks.0.mlp.w12.weight': torch.ones(1)})


@pytest.mark.parametrize('layout', ['official', 'converted'])
def test_init_cfg_loads_strictly(tmp_path, layout):
    ref = _random_official(70)
    src = str(tmp_path / 'official.pth')
    torch.save(ref.state_dict(), src)
    path = src if layout == 'official' else str(tmp_path / 'mmssl.pth')
    if layout == 'converted':
        convert(src, path)
    enc = _encoder(70, init_cfg=dict(type='Pretrained', checkpoint=path))
    enc.init_weights()
    torch.testing.assert_close(enc.layers[2].gamma1.weight,
                               ref.blocks[2].ls1.gamma)
    torch.testing.assert_close(enc.layers[3].ffn.gamma2.weight,
                               ref.blocks[3].ls2.gamma)
    # a key missing from the file is an error, not a silent partial load
    broken = {k: v for k, v in ref.state_dict().items() if 'ls2' not in k}
    torch.save(broken, src)
    enc = _encoder(70, init_cfg=dict(type='Pretrained', checkpoint=src))
    with pytest.raises(RuntimeError, match='gamma2'):
        enc.init_weights()


# ---------------------------------------------------- equations, positions
@pytest.mark.parametrize(
    'img_size,hw',
    [
        (70, (70, 70)),  # the stored grid: no interpolation
        (70, (56, 84)),  # 5x5 -> 4x6, non-square
        (518, (42, 56)),  # official 37x37 grid -> 3x4
    ])
def test_forward_matches_official_equations(img_size, hw):
    ref = _random_official(img_size)
    enc = _encoder(img_size).eval()
    enc.load_state_dict(dinov2_to_mmssl(ref.state_dict()), strict=True)
    x = torch.randn(2, 3, *hw)
    with torch.no_grad():
        want = ref.get_intermediate_layers(x, n=[0, 1, 2, 3])
        got = enc(x)
    assert len(got) == 4
    for (fw, cw), (fg, cg) in zip(want, got):
        assert fg.shape == (2, 48, hw[0] // 14, hw[1] // 14)
        torch.testing.assert_close(fg, fw, atol=1e-5, rtol=1e-4)
        torch.testing.assert_close(cg, cw, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize('grid', [(57, 57), (37, 57), (4, 5), (74, 36)])
def test_pos_embed_interpolation_from_37x37(grid):
    """DINOv2's resize of the 37x37 grid (518 crops) to Cityscapes' 798
    crops (57x57), non-square and down-sized grids: the official equation,
    which differs from mmseg's size-based resize (the 0.1 offset)."""
    ref = _random_official(518, depth=1)
    enc = _encoder(518, num_layers=1, out_indices=(0, ))
    enc.load_state_dict(dinov2_to_mmssl(ref.state_dict()), strict=True)
    h, w = grid
    tokens = torch.zeros(1, h * w + 1, 48)
    with torch.no_grad():
        want = ref.interpolate_pos_encoding(tokens, h * 14, w * 14)
        got = enc.interpolate_pos_encoding(h * w + 1, (h, w))
        mmseg = enc.resize_pos_embed(enc.pos_embed, (h, w), (37, 37),
                                     'bicubic')
    assert got.shape == (1, h * w + 1, 48)
    torch.testing.assert_close(got, want)
    assert not torch.allclose(mmseg, want, atol=1e-4)


# ------------------------------------------------------------ base configs
OFFICIAL = {  # unimatch_v2.py model_configs, dpt.py intermediate_layer_idx
    's': (384, 12, 6, (2, 5, 8, 11), 64, [48, 96, 192, 384]),
    'b': (768, 12, 12, (2, 5, 8, 11), 128, [96, 192, 384, 768]),
    'l': (1024, 24, 16, (4, 11, 17, 23), 256, [256, 512, 1024, 1024]),
}


@pytest.mark.parametrize('size', ['s', 'b', 'l'])
def test_base_configs_match_official_sizes(size):
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', '_base_', 'models', f'dpt_dinov2-{size}.py'))
    b, h = cfg.model.backbone, cfg.model.decode_head
    dim, depth, heads, idx, feats, outs = OFFICIAL[size]
    assert (b.embed_dims, b.num_layers, b.num_heads) == (dim, depth, heads)
    assert tuple(b.out_indices) == idx
    assert (b.img_size, b.patch_size) == (518, 14)
    assert h.channels == feats and list(h.post_process_channels) == outs
    assert tuple(h.in_channels) == (dim, ) * 4 and h.embed_dims == dim
    assert h.readout_type == 'ignore' and h.norm_cfg is None
    assert h.dropout_ratio == 0 and h.align_corners
    assert f'dinov2_vit{size}14' in b.init_cfg.checkpoint
    # full-size shapes equal the official checkpoint's (built on 'meta')
    with torch.device('meta'):
        enc = MODELS.build(b)
        ref = _OfficialDINOv2(518, dim=dim, depth=depth, heads=heads)
    want = {k: v.shape for k, v in dinov2_to_mmssl(ref.state_dict()).items()}
    assert {k: v.shape for k, v in enc.state_dict().items()} == want


def _official_dpt_head(head, feats):
    """UniMatch V2's DPTHead.forward (model/semseg/dpt.py) and its
    FeatureFusionBlock / ResidualConvUnit (model/util/blocks.py), written
    from the official equations with the weights of mmseg's ``head``:
    refinenet4..1 = fusion_blocks[0..3], layerN_rn = convs[N-1],
    output_conv = project + conv_seg. The official residual units' convs
    have biases, mmseg's have none: taken as zero here."""
    rb = head.reassemble_blocks
    layers = [rb.resize_layers[i](rb.projects[i](f)) for i, f in
              enumerate(feats)]
    rn = [head.convs[i](x) for i, x in enumerate(layers)]

    def rcu(unit, x):
        out = F.conv2d(F.relu(x), unit.conv1.conv.weight, padding=1)
        out = F.conv2d(F.relu(out), unit.conv2.conv.weight, padding=1)
        return out + x

    def fusion(block, *xs, size=None):
        out = xs[0]
        if len(xs) == 2:
            out = out + rcu(block.res_conv_unit1, xs[1])
        out = rcu(block.res_conv_unit2, out)
        kw = dict(size=size) if size is not None else dict(scale_factor=2)
        out = F.interpolate(out, mode='bilinear', align_corners=True, **kw)
        return block.project(out)

    fb = head.fusion_blocks
    path4 = fusion(fb[0], rn[3], size=rn[2].shape[2:])
    path3 = fusion(fb[1], path4, rn[2], size=rn[1].shape[2:])
    path2 = fusion(fb[2], path3, rn[1], size=rn[0].shape[2:])
    path1 = fusion(fb[3], path2, rn[0])
    return head.conv_seg(head.project(path1))


@pytest.mark.parametrize('grid', [(4, 6), (3, 5)])
def test_mmseg_dpt_head_vs_official_head(grid):
    """mmseg's DPTHead configured as dpt_dinov2-*.py computes the official
    UniMatch V2 head when every level of the patch grid is exactly twice the
    next (even grids; residual-unit biases aside). On odd grids (518 crops:
    37x37) mmseg upsamples the path by 2 and resizes the skip to it, the
    official resizes the path to the skip, so the logits come out on a
    different grid (docs/unimatch_v2.md)."""
    torch.manual_seed(0)
    head = _tiny_model().decode_head.eval()
    feats = [torch.randn(2, 48, *grid) for _ in range(4)]
    with torch.no_grad():
        got = head([[f, torch.zeros(2, 48)] for f in feats])
        want = _official_dpt_head(head, feats)
    assert want.shape == (2, 5, grid[0] * 8, grid[1] * 8)
    if all(g % 2 == 0 for g in grid):
        torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-4)
    else:  # 16 x ceil(grid / 2): 32x48 for 3x5 instead of 24x40
        assert got.shape == (2, 5, 16 * ((grid[0] + 1) // 2),
                             16 * ((grid[1] + 1) // 2))


def _tiny_model(num_classes=5):
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', '_base_', 'models', 'dpt_dinov2-s.py'))
    m = cfg.model
    m.backbone.update(img_size=56, out_indices=(0, 1, 2, 3), init_cfg=None,
                      **TINY)
    m.decode_head.update(in_channels=(48, ) * 4, embed_dims=48, channels=16,
                         post_process_channels=[8, 16, 32, 48],
                         num_classes=num_classes)
    model = MODELS.build(m)
    model.init_weights()
    return model


def _batch(h, w, n=2, num_classes=5):
    samples = []
    for _ in range(n):
        s = SegDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w),
                                        pad_shape=(h, w)))
        seg = torch.randint(0, num_classes, (1, h, w))
        seg[:, :4] = 255
        s.gt_sem_seg = PixelData(data=seg)
        samples.append(s)
    return dict(inputs=[torch.randint(0, 256, (3, h, w), dtype=torch.uint8)
                        for _ in range(n)],
                data_samples=samples)


def test_tiny_dpt_dinov2_trains_one_step():
    """One AdamW step of the base config's model at a tiny size, on a 70x56
    input: a 5x4 patch grid (odd, non-square: the stored 4x4 position grid
    is interpolated, as 518-trained DINOv2 is at Cityscapes' 798 crops)."""
    torch.manual_seed(0)
    model = _tiny_model()
    model.train()
    data = model.data_preprocessor(_batch(70, 56), training=True)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    before = {k: v.detach().clone() for k, v in model.named_parameters()}
    losses = model(**data, mode='loss')
    loss = sum(v for k, v in losses.items() if 'loss' in k)
    assert torch.isfinite(loss)
    loss.backward()
    no_grad = [k for k, p in model.named_parameters() if p.grad is None]
    assert no_grad == []  # DDP without find_unused_parameters
    for name in ('backbone.layers.0.gamma1.weight',
                 'backbone.layers.3.ffn.gamma2.weight',
                 'backbone.layers.0.attn.attn.in_proj_weight',
                 'backbone.patch_embed.projection.weight',
                 'backbone.pos_embed', 'backbone.cls_token',
                 'backbone.ln1.weight', 'decode_head.conv_seg.weight',
                 'decode_head.reassemble_blocks.projects.0.conv.weight',
                 'decode_head.fusion_blocks.3.project.conv.weight'):
        assert model.get_parameter(name).grad.abs().sum() > 0, name
    opt.step()
    changed = [k for k, v in model.named_parameters()
               if not torch.equal(v, before[k])]
    assert len(changed) == len(before)
    # inference: a label per input pixel
    model.eval()
    with torch.no_grad():
        pred = model(**model.data_preprocessor(_batch(70, 56), False),
                     mode='predict')
    assert pred[0].pred_sem_seg.data.shape == (1, 70, 56)


def test_frozen_encoder_like_lock_backbone():
    model = _tiny_model()
    enc = _encoder(56, frozen_exclude=[])
    assert not any(p.requires_grad for p in enc.parameters())
    assert all(p.requires_grad for p in model.backbone.parameters())
    assert isinstance(model.backbone, DINOv2VisionTransformer)

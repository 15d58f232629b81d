# Copyright (c) mmssl contributors. All rights reserved.
"""Matching operation of Dense FixMatch: bring a map from one view into the
frame of another view, ``A ∘ α⁻¹`` (paper eq. 1).

Each view records ``homography_matrix`` (3×3, mmdet convention): it maps
ORIGINAL-image coordinates to view coordinates, composed by left
multiplication as transforms run. Coordinates are continuous with pixel
edges at integers, so pixel ``(x, y)`` covers ``[x, x+1) × [y, y+1)`` and its
centre is ``(x + 0.5, y + 0.5)``. mmdet ``Resize``, ``RandomFlip``,
``RandomCrop`` and ``Translate*`` record exact matrices in this convention;
mmdet ``Rotate``/``Shear*`` record OpenCV pixel-centre matrices (half-pixel
off): use mmssl's ``ExactRotate``/``ExactShearX``/``ExactShearY``.

The relative map from a source view to a destination view is
``M = H_dst · H_src⁻¹``. Every destination pixel is sampled at its CENTRE
through ``M⁻¹``; nearest sampling takes the source pixel that contains the
sampled point, ``floor(u), floor(v)``. Sampling at integer coordinates
instead shifts everything by half a pixel and silently misaligns 2–3 % of
the labels (measured, see FIELD_NOTES).

Typical use in a segmentor, with ``weak``/``strong`` data samples::

    pseudo = warp_labels(
        weak_pseudo_labels,                       # [B, H, W] long
        src_h=[s.homography_matrix for s in weak_samples],
        dst_h=[s.homography_matrix for s in strong_samples],
        dst_shape=strong_logits.shape[-2:],
        src_valid_shapes=[s.img_shape for s in weak_samples])
"""
from typing import Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

HomographyLike = Union[Tensor, np.ndarray, Sequence]

#: Nearest-sampling tie-break in pixels (see :func:`warp_labels`).
TIE_EPS = 1e-4

__all__ = [
    'relative_homography', 'homography_grid', 'warp_labels', 'warp_probs'
]


def _to_homographies(h: HomographyLike,
                     device: Optional[torch.device] = None) -> Tensor:
    """Homographies as a float64 tensor ``[B, 3, 3]`` on ``device``.

    Accepts a tensor or array of shape ``[3, 3]`` or ``[B, 3, 3]`` (float32 or
    float64), or a sequence of ``[3, 3]`` tensors/arrays (e.g. the
    ``homography_matrix`` of each data sample).
    """
    if isinstance(h, Tensor):
        out = h.detach().to(device=device, dtype=torch.float64)
    elif isinstance(h, np.ndarray):
        out = torch.from_numpy(np.asarray(h, dtype=np.float64)).to(device)
    elif isinstance(h, (list, tuple)):
        mats = [
            x.detach().to('cpu', torch.float64) if isinstance(x, Tensor) else
            torch.from_numpy(np.asarray(x, dtype=np.float64)) for x in h
        ]
        if len(mats) == 0:
            raise ValueError('empty sequence of homographies')
        out = torch.stack(mats).to(device)
    else:
        raise TypeError(f'unsupported homography type {type(h)}')
    if out.dim() == 2:
        out = out.unsqueeze(0)
    if out.shape[-2:] != (3, 3) or out.dim() != 3:
        raise ValueError(f'homographies must be [B, 3, 3], got '
                         f'{tuple(out.shape)}')
    return out


def relative_homography(src_h: HomographyLike,
                        dst_h: HomographyLike,
                        device: Optional[torch.device] = None) -> Tensor:
    """``dst_h @ inv(src_h)``: maps source-view coordinates to
    destination-view coordinates. Computed in float64, shape ``[B, 3, 3]``.

    A single matrix on either side is broadcast over the batch.
    """
    if device is None:
        device = next(
            (x.device for x in (src_h, dst_h) if isinstance(x, Tensor)), None)
    src = _to_homographies(src_h, device)
    dst = _to_homographies(dst_h, device)
    return dst @ torch.linalg.inv(src)


def _valid_extent(src_valid_shapes, batch: int, src_hw: Tuple[int, int],
                  device) -> Tuple[Tensor, Tensor]:
    """Per-sample real ``(h, w)`` of the source as float64 ``[B, 1, 1]``."""
    if src_valid_shapes is None:
        hw = torch.tensor([src_hw] * batch, dtype=torch.float64)
    else:
        if len(src_valid_shapes) != batch:
            raise ValueError(f'src_valid_shapes has {len(src_valid_shapes)} '
                             f'entries for a batch of {batch}')
        hw = torch.tensor([[float(s[0]), float(s[1])]
                           for s in src_valid_shapes],
                          dtype=torch.float64)
        hw = torch.minimum(hw, torch.tensor(src_hw, dtype=torch.float64))
    hw = hw.to(device)
    return hw[:, 0].view(-1, 1, 1), hw[:, 1].view(-1, 1, 1)


def homography_grid(
        src_h: HomographyLike,
        dst_h: HomographyLike,
        dst_shape: Tuple[int, int],
        device: Optional[torch.device] = None) -> Tuple[Tensor, Tensor]:
    """Source-view coordinates ``(u, v)`` (float64, ``[B, H', W']`` each) of
    the CENTRE of every destination pixel, i.e. ``M⁻¹ (x+0.5, y+0.5, 1)``
    with ``M = dst_h · src_h⁻¹``. Points that map to infinity get ``nan``.
    """
    if device is None:
        device = next(
            (x.device for x in (src_h, dst_h) if isinstance(x, Tensor)), None)
    m_inv = _inverse_relative(
        _to_homographies(src_h, device), _to_homographies(dst_h, device))
    return _grid_from(m_inv, dst_shape, _is_affine(m_inv))


def _inverse_relative(src: Tensor, dst: Tensor) -> Tensor:
    """``src · dst⁻¹`` (float64): the relative map dst view -> src view."""
    return src @ torch.linalg.inv(dst)


def _is_affine(m_inv: Tensor) -> Tensor:
    """0-dim bool tensor: every matrix has last row ``(0, 0, 1)``."""
    return (m_inv[:, 2] == m_inv.new_tensor([0., 0., 1.])).all()


def _grid_from(m_inv: Tensor, dst_shape: Tuple[int, int],
               affine) -> Tuple[Tensor, Tensor]:
    """:func:`homography_grid` from the inverse relative maps ``m_inv``
    ``[B, 3, 3]`` (float64); ``affine``: :func:`_is_affine` of them."""
    device = m_inv.device
    h, w = int(dst_shape[0]), int(dst_shape[1])
    ys = torch.arange(h, dtype=torch.float64, device=device) + 0.5
    xs = torch.arange(w, dtype=torch.float64, device=device) + 0.5
    m = m_inv.unsqueeze(-1).unsqueeze(-1)  # [B, 3, 3, 1, 1]
    x = xs.view(1, 1, w)
    y = ys.view(1, h, 1)
    px = m[:, 0, 0] * x + m[:, 0, 1] * y + m[:, 0, 2]
    py = m[:, 1, 0] * x + m[:, 1, 1] * y + m[:, 1, 2]
    if bool(affine):
        return px, py  # affine (every mmdet/mmssl transform): no division
    pz = m[:, 2, 0] * x + m[:, 2, 1] * y + m[:, 2, 2]
    pz = torch.where(pz.abs() < 1e-12, torch.full_like(pz, float('nan')), pz)
    return px / pz, py / pz


def _broadcast_batch(b_maps: int, u: Tensor, v: Tensor):
    if u.shape[0] == b_maps:
        return u, v
    if u.shape[0] == 1:
        return u.expand(b_maps, -1, -1), v.expand(b_maps, -1, -1)
    raise ValueError(f'{u.shape[0]} homographies for a batch of {b_maps}')


@torch.no_grad()
def warp_labels(labels: Tensor,
                src_h: HomographyLike,
                dst_h: HomographyLike,
                dst_shape: Optional[Tuple[int, int]] = None,
                src_valid_shapes: Optional[Sequence[Tuple[int, int]]] = None,
                ignore_index: int = 255) -> Tensor:
    """Warp hard labels from the source view into the destination view.

    Nearest sampling at destination pixel centres (see module docstring).
    A centre that lands exactly on a source pixel edge takes the pixel to
    its right/bottom: sampling points are shifted by ``TIE_EPS`` (1e-4 px),
    which absorbs the rounding of float32 homographies for coordinates up
    to ~1600 px and is far below OpenCV's 1/1024 px warp precision.

    When the two views share their geometry (``src_h`` and ``dst_h`` equal,
    bit for bit, in every sample) and ``dst_shape`` is the source size, the
    labels are returned as they are (a copy, the source padding set to
    ``ignore_index``) without building the sampling grid: the same result
    (:func:`_identity_labels`).

    Args:
        labels (Tensor): ``[B, H, W]`` integer labels in the source view
            (``[H, W]`` is treated as a batch of one).
        src_h, dst_h: homographies original → view of the source and the
            destination views: ``[B, 3, 3]`` / ``[3, 3]`` tensors or arrays,
            or a sequence of ``[3, 3]`` (one per sample).
        dst_shape (tuple, optional): ``(H', W')`` of the output. Defaults to
            the source size.
        src_valid_shapes (list[tuple], optional): real ``(h, w)`` of each
            source sample; the rest of ``labels`` is batch padding and is
            treated as outside the view. Defaults to the full ``H, W``.
        ignore_index (int): value for destination pixels that fall outside
            the source view (or into its padding). Ignored source pixels
            stay ignored. Defaults to 255.

    Returns:
        Tensor: ``[B, H', W']`` labels (dtype of ``labels``) on the same
        device.
    """
    squeeze = labels.dim() == 2
    if squeeze:
        labels = labels.unsqueeze(0)
    if labels.dim() != 3:
        raise ValueError(f'labels must be [B, H, W], got {labels.shape}')
    b, h, w = labels.shape
    if dst_shape is None:
        dst_shape = (h, w)
    device = labels.device
    src = _to_homographies(src_h, device)
    dst = _to_homographies(dst_h, device)
    m_inv = _inverse_relative(src, dst)
    affine = _is_affine(m_inv)
    same_size = (int(dst_shape[0]), int(dst_shape[1])) == (h, w)
    if (same_size and not _force_general_path and src.shape[0] in (1, b)
            and dst.shape[0] in (1, b)):
        # one host sync for both flags (the general path needs ``affine``)
        identity, affine = torch.stack(
            (torch.eq(src, dst).all(), affine)).tolist()
        if identity:
            out = _identity_labels(labels, src_valid_shapes, ignore_index)
            return out[0] if squeeze else out
    u, v = _grid_from(m_inv, dst_shape, affine)
    u, v = _broadcast_batch(b, u, v)
    vh, vw = _valid_extent(src_valid_shapes, b, (h, w), device)
    # Exact ties (a centre landing on a pixel edge, e.g. the middle pixel of
    # any odd-sized rescale) go to the right/bottom pixel as in exact
    # arithmetic, despite float32-stored homographies (error ~6e-8 * coord).
    u = u + TIE_EPS
    v = v + TIE_EPS
    # nan compares False, so degenerate points are invalid too
    valid = (u >= 0) & (v >= 0) & (u < vw) & (v < vh)
    col = torch.where(valid, u, torch.zeros_like(u)).floor().long()
    row = torch.where(valid, v, torch.zeros_like(v)).floor().long()
    col.clamp_(0, w - 1)
    row.clamp_(0, h - 1)
    index = (row * w + col).view(b, -1)
    out = labels.reshape(b, -1).gather(1, index).view(b, *dst_shape)
    out = torch.where(valid, out, torch.full_like(out, ignore_index))
    return out[0] if squeeze else out


#: Tests only: True sends :func:`warp_labels` down its general path.
_force_general_path = False


def _identity_labels(labels: Tensor, src_valid_shapes,
                     ignore_index: int) -> Tensor:
    """:func:`warp_labels` when the source and destination views share
    their geometry (the same homography, bit for bit, in every sample) and
    size: every destination centre ``(x + ½, y + ½)`` lies in source pixel
    ``(x, y)``, so the labels come back as they are, with the source's batch
    padding (outside ``src_valid_shapes``) set to ``ignore_index``. The
    validity test is the general path's, on the exact identity grid; with a
    float64 relative map ``H · H⁻¹`` the general path is off the identity
    by rounding only (far below its ½ px margin), so both agree. A new
    tensor (callers may write into the result)."""
    b, h, w = labels.shape
    if src_valid_shapes is None:
        return labels.clone()
    vh, vw = _valid_extent(src_valid_shapes, b, (h, w), labels.device)
    ys = torch.arange(h, dtype=torch.float64, device=labels.device) + 0.5
    xs = torch.arange(w, dtype=torch.float64, device=labels.device) + 0.5
    rows = (ys.view(1, h, 1) + TIE_EPS) < vh  # [B, h, 1]
    cols = (xs.view(1, 1, w) + TIE_EPS) < vw  # [B, 1, w]
    return torch.where(rows & cols, labels,
                       torch.full_like(labels, ignore_index))


@torch.no_grad()
def warp_probs(
    probs: Tensor,
    src_h: HomographyLike,
    dst_h: HomographyLike,
    dst_shape: Optional[Tuple[int, int]] = None,
    src_valid_shapes: Optional[Sequence[Tuple[int, int]]] = None
) -> Tuple[Tensor, Tensor]:
    """Warp soft maps (probabilities, logits, features) from the source view
    into the destination view with bilinear interpolation.

    Uses the same centre convention as :func:`warp_labels`
    (``grid_sample(align_corners=False)``); inside the valid source extent
    samples are clamped to the outermost valid pixel centres, so batch
    padding never bleeds into the result.

    Args:
        probs (Tensor): ``[B, C, H, W]`` floating-point maps.
        src_h, dst_h, dst_shape, src_valid_shapes: as in :func:`warp_labels`.

    Returns:
        tuple[Tensor, Tensor]: warped ``[B, C, H', W']`` maps (zero where
        invalid) and the ``[B, H', W']`` bool mask of valid locations.
    """
    if probs.dim() != 4:
        raise ValueError(f'probs must be [B, C, H, W], got {probs.shape}')
    b, _, h, w = probs.shape
    if dst_shape is None:
        dst_shape = (h, w)
    u, v = homography_grid(src_h, dst_h, dst_shape, device=probs.device)
    u, v = _broadcast_batch(b, u, v)
    vh, vw = _valid_extent(src_valid_shapes, b, (h, w), probs.device)
    # same validity as warp_labels (including its tie-break)
    valid = ((u + TIE_EPS >= 0) & (v + TIE_EPS >= 0) & (u + TIE_EPS < vw) &
             (v + TIE_EPS < vh))
    u = torch.where(valid, u, torch.zeros_like(u))
    v = torch.where(valid, v, torch.zeros_like(v))
    u = torch.minimum(torch.clamp(u, min=0.5), vw - 0.5)
    v = torch.minimum(torch.clamp(v, min=0.5), vh - 0.5)
    # align_corners=False: normalised -1/+1 are the outer pixel edges
    grid = torch.stack((2 * u / w - 1, 2 * v / h - 1), dim=-1)
    # half precision cannot address pixels of large maps: sample in float32
    work = probs if probs.dtype in (torch.float32,
                                    torch.float64) else probs.float()
    out = F.grid_sample(
        work,
        grid.to(work.dtype),
        mode='bilinear',
        padding_mode='border',
        align_corners=False)
    out = (out * valid.unsqueeze(1).to(out.dtype)).to(probs.dtype)
    return out, valid

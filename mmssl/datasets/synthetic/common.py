"""Drawing, texture and file helpers shared by the synthetic data generators.

Objects are described as lists of :class:`Part` (filled polygons or stroked
polylines) in a local metric frame (x to the right, Y up, ground at ``Y=0``),
placed into the image with :func:`place` and painted into a :class:`Canvas`,
which keeps the RGB image and any number of integer label layers in sync:
every painted pixel gets the object's colour *and* its label values, so labels
are exact by construction.
"""
import json
import os
import os.path as osp
from dataclasses import dataclass, replace
from typing import Callable, Dict, List, Optional, Sequence

import cv2
import numpy as np

# cv2 drawing works on fixed-point coordinates with this many fractional bits,
# so small objects keep sub-pixel shape.
_SHIFT = 4
_ONE = 1 << _SHIFT


def image_rng(seed: int, *key: int) -> np.random.Generator:
    """Independent generator for one image, keyed by (seed, *key).

    Keying every image separately makes an image depend only on the seed and
    its own index, not on how many images were generated before it.
    """
    return np.random.default_rng(
        np.random.SeedSequence(entropy=int(seed), spawn_key=tuple(key)))


def jitter(rng: np.random.Generator, color, amount: float = 0.15):
    """Per-channel multiplicative and additive jitter of an RGB colour."""
    c = np.asarray(color, np.float32)
    c = c * rng.uniform(1 - amount, 1 + amount, 3) + rng.uniform(-15, 15, 3)
    return np.clip(c, 0, 255).astype(np.float32)


def pick(rng: np.random.Generator, palette: Sequence, amount: float = 0.15):
    """A jittered colour drawn from ``palette``."""
    return jitter(rng, palette[int(rng.integers(len(palette)))], amount)


def smooth_noise(rng: np.random.Generator, h: int, w: int,
                 cell: float) -> np.ndarray:
    """Zero-mean, unit-std noise with features about ``cell`` pixels wide."""
    gh = max(2, int(np.ceil(h / cell)) + 1)
    gw = max(2, int(np.ceil(w / cell)) + 1)
    low = rng.standard_normal((gh, gw)).astype(np.float32)
    up = cv2.resize(low, (w, h), interpolation=cv2.INTER_CUBIC)
    return (up - up.mean()) / (up.std() + 1e-6)


@dataclass
class Part:
    """One drawing primitive of an object.

    ``pts`` is an (N, 2) array. ``width`` 0 fills the polygon, otherwise the
    polyline is stroked with that width (same units as ``pts``). The part is
    painted with ``color`` if given, else the object's base colour times
    ``tone`` (a scalar or an RGB multiplier).
    """
    pts: np.ndarray
    width: float = 0.0
    tone: object = 1.0
    color: Optional[np.ndarray] = None
    closed: bool = False


# ---------------------------------------------------------------- primitives
def rect(x0, y0, x1, y1, **kw) -> Part:
    return Part(
        np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64), **kw)


def poly(pts, **kw) -> Part:
    return Part(np.asarray(pts, np.float64), **kw)


def ellipse(cx, cy, ax, ay, angle=0.0, n=28, **kw) -> Part:
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    x, y = ax * np.cos(t), ay * np.sin(t)
    a = np.deg2rad(angle)
    pts = np.stack([
        cx + x * np.cos(a) - y * np.sin(a), cy + x * np.sin(a) + y * np.cos(a)
    ], 1)
    return Part(pts, **kw)


def circle(cx, cy, r, **kw) -> Part:
    return ellipse(cx, cy, r, r, **kw)


def ring(cx, cy, r, width, **kw) -> Part:
    """A circle outline (e.g. a bicycle wheel)."""
    p = ellipse(cx, cy, r, r, n=32).pts
    return Part(p, width=width, closed=True, **kw)


def round_rect(x0, y0, x1, y1, r, **kw) -> Part:
    r = min(r, abs(x1 - x0) / 2, abs(y1 - y0) / 2)
    pts = []
    for cx, cy, a0 in ((x1 - r, y1 - r, 0), (x0 + r, y1 - r, 90),
                       (x0 + r, y0 + r, 180), (x1 - r, y0 + r, 270)):
        t = np.deg2rad(a0 + np.linspace(0, 90, 5))
        pts.append(np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], 1))
    return Part(np.concatenate(pts), **kw)


def stroke(pts, width, **kw) -> Part:
    return Part(np.asarray(pts, np.float64), width=width, **kw)


def shift(part: Part, dx: float, dy: float) -> Part:
    """A copy of ``part`` moved by (dx, dy) local units."""
    return replace(part, pts=part.pts + np.array([dx, dy]))


def place(parts: List[Part],
          cx: float,
          cy: float,
          scale: float,
          sy: Optional[float] = None,
          flip: bool = False,
          angle: float = 0.0) -> List[Part]:
    """Map parts from the local frame (Y up) to image pixels.

    The local origin goes to pixel ``(cx, cy)``; ``scale`` is pixels per
    local unit (``sy`` for the vertical axis if different). ``flip`` mirrors
    horizontally, ``angle`` rotates (degrees, counter-clockwise on screen).
    """
    sy = scale if sy is None else sy
    a = np.deg2rad(angle)
    ca, sa = np.cos(a), np.sin(a)
    out = []
    for p in parts:
        x = p.pts[:, 0] * scale * (-1 if flip else 1)
        y = -p.pts[:, 1] * sy
        xr = x * ca + y * sa
        yr = -x * sa + y * ca
        out.append(
            replace(
                p, pts=np.stack([cx + xr, cy + yr], 1), width=p.width * scale))
    return out


def _fp(pts: np.ndarray) -> np.ndarray:
    return np.round(pts * _ONE).astype(np.int32).reshape(-1, 1, 2)


def outer_polygon(mask: np.ndarray, x0: int = 0, y0: int = 0) -> List:
    """Outer contour of a mask as ``[[x, y], ...]`` in image pixels.

    A disconnected silhouette gets the convex hull of its pieces so that each
    object keeps exactly one polygon (as in the Cityscapes JSON files).
    """
    contours, _ = cv2.findContours(
        mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return []
    if len(contours) == 1:
        pts = contours[0][:, 0]
    else:
        pts = cv2.convexHull(np.concatenate(contours))[:, 0]
    return (pts + np.array([x0, y0])).astype(int).tolist()


class Canvas:
    """RGB image plus label layers of one scene, painted back to front.

    Args:
        h, w: image size.
        rng: the image's random generator (for the texture noise fields).
        layers: label layer name -> fill value.
    """

    def __init__(self, h: int, w: int, rng: np.random.Generator,
                 layers: Dict[str, int]):
        self.h, self.w = h, w
        self.img = np.zeros((h, w, 3), np.float32)
        self.layers = {
            k: np.full((h, w), v, np.int32)
            for k, v in layers.items()
        }
        self.fine = rng.standard_normal((h, w)).astype(np.float32)
        self.coarse = smooth_noise(rng, h, w, max(4.0, min(h, w) / 6))
        self.medium = smooth_noise(rng, h, w, max(2.0, min(h, w) / 24))

    def paint(self,
              parts: List[Part],
              color,
              values: Dict[str, int],
              fine: float = 0.05,
              coarse: float = 0.08,
              medium: float = 0.0,
              pattern: Optional[Callable] = None) -> Optional[tuple]:
        """Paint one object; return ``(mask, x0, y0)`` of its full silhouette.

        ``mask`` is the object's whole (pre-occlusion) silhouette inside its
        clipped bounding box at ``(x0, y0)``; ``None`` if it is off-image.
        ``pattern(col, ys, xs, mask)`` may rewrite the object's colour layer
        (``ys``/``xs`` are the pixel rows/columns of the box).
        """
        allpts = np.concatenate([p.pts for p in parts])
        pad = max([p.width for p in parts] + [0]) / 2 + 2
        x0 = max(0, int(np.floor(allpts[:, 0].min() - pad)))
        y0 = max(0, int(np.floor(allpts[:, 1].min() - pad)))
        x1 = min(self.w, int(np.ceil(allpts[:, 0].max() + pad)) + 1)
        y1 = min(self.h, int(np.ceil(allpts[:, 1].max() + pad)) + 1)
        if x0 >= x1 or y0 >= y1:
            return None
        bh, bw = y1 - y0, x1 - x0
        base = np.asarray(color, np.float32)
        col = np.zeros((bh, bw, 3), np.float32)
        union = np.zeros((bh, bw), np.uint8)
        off = np.array([x0, y0], np.float64)
        for p in parts:
            m = np.zeros((bh, bw), np.uint8)
            pts = _fp(p.pts - off)
            if p.width <= 0:
                cv2.fillPoly(m, [pts], 1, cv2.LINE_8, _SHIFT)
            else:
                th = max(1, int(round(p.width)))
                cv2.polylines(m, [pts], p.closed, 1, th, cv2.LINE_8, _SHIFT)
            mb = m.astype(bool)
            c = p.color if p.color is not None else base * np.asarray(
                p.tone, np.float32)
            col[mb] = np.clip(c, 0, 255)
            union |= m
        mask = union.astype(bool)
        if not mask.any():
            return None
        ys, xs = slice(y0, y1), slice(x0, x1)
        if pattern is not None:
            col = pattern(col, ys, xs, mask)
        tex = 1.0 + fine * self.fine[ys, xs] + coarse * self.coarse[ys, xs]
        if medium:
            tex = tex + medium * self.medium[ys, xs]
        col = col * tex[..., None]
        self.img[ys, xs][mask] = col[mask]
        for k, v in values.items():
            self.layers[k][ys, xs][mask] = v
        return mask, x0, y0

    def finish(
        self, rng: np.random.Generator, blur=(0.3, 0.9),
        noise=(2.0, 6.0)) -> np.ndarray:
        """Global appearance changes; returns the uint8 RGB image.

        A lighting gradient in a random direction, a colour cast, a gamma
        change, a slight blur and sensor noise: all vary per image so that
        absolute colours do not identify classes.
        """
        h, w = self.h, self.w
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        th = rng.uniform(0, 2 * np.pi)
        g = (np.cos(th) * (xx / w - 0.5) + np.sin(th) * (yy / h - 0.5))
        img = self.img * (1 + rng.uniform(0.2, 0.7) * g)[..., None]
        img = img * rng.uniform(0.8, 1.2, 3).astype(np.float32)
        img = img * rng.uniform(0.75, 1.25) + rng.uniform(-20, 20)
        img = np.clip(img, 0, 255) / 255.0
        img = 255.0 * img**rng.uniform(0.7, 1.4)
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(*blur))
        img = img + rng.normal(0, rng.uniform(*noise), img.shape)
        return np.clip(np.round(img), 0, 255).astype(np.uint8)


# --------------------------------------------------------------------- files
def makedirs_for(path: str) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)


def write_png(path: str, arr: np.ndarray) -> None:
    """Write a uint8 / uint16 array (or an RGB image) as PNG with cv2."""
    makedirs_for(path)
    if arr.ndim == 3:
        arr = arr[..., ::-1]  # RGB -> BGR for cv2
    if not cv2.imwrite(path, np.ascontiguousarray(arr)):
        raise IOError(f'failed to write {path}')


def write_jpg(path: str, rgb: np.ndarray, quality: int = 92) -> None:
    makedirs_for(path)
    if not cv2.imwrite(path, np.ascontiguousarray(rgb[..., ::-1]),
                       [cv2.IMWRITE_JPEG_QUALITY, quality]):
        raise IOError(f'failed to write {path}')


def write_palette_png(path: str, arr: np.ndarray, palette) -> None:
    """Write an index image as a palette ('P' mode) PNG, like VOC labels."""
    from PIL import Image
    makedirs_for(path)
    arr = np.ascontiguousarray(arr.astype(np.uint8))
    im = Image.frombytes('P', (arr.shape[1], arr.shape[0]), arr.tobytes())
    im.putpalette(np.asarray(palette, np.uint8).ravel().tolist())
    im.save(path, format='PNG')


def write_text(path: str, text: str) -> None:
    makedirs_for(path)
    with open(path, 'w') as f:
        f.write(text)


def write_json(path: str, obj) -> None:
    write_text(path, json.dumps(obj, indent=1) + '\n')


STAMP_NAME = '.mmssl_synthetic.json'

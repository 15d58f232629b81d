"""Synthetic object images written in the Pascal VOC 2012 (+ SBD aug) format.

Each image has a cluttered background and one to three foreground objects
drawn from the 20 VOC classes:

* **background** (label 0) is an indoor scene (wall and floor, frames,
  shelves, wallpaper stripes), an outdoor scene (sky gradient, ground, tree
  blobs, building blocks) or abstract clutter, plus random distractor shapes
  (ellipses, polygons, bars) painted with the *same palette* as the objects;
* **objects** are class-specific silhouettes built from parts (aeroplane:
  fuselage, swept wing, tail fin; bicycle: two wheel rings and a diamond
  frame; bird: body, head, beak, tail, wing; boat: hull, cabin, mast, sail;
  bottle; bus: long body with a window row; car: body, cabin, wheels; cat:
  pointed ears, long raised tail; chair: seat, back, legs; cow: boxy body,
  horns, udder; dining table: top and legs; dog: snout, hanging ears;
  horse: long legs and neck, mane; motorbike: solid wheels, tank; person;
  potted plant: pot and leaves; sheep: fluffy body of circles, dark head;
  sofa: base, back, arms; train: very long body, sloped nose, pantograph;
  tv/monitor: framed screen on a stand). Scale, aspect, position (objects
  may leave the frame), mirroring, rotation and occlusion order vary.
  Colours come from one shared palette with per-object jitter, textures
  (noise, stripes, spots) and shading are chosen independently of the class,
  so the class is in the shape, not the colour.

Image sizes vary per image like in VOC (landscape ``W x H``, portrait
``H x W`` or a wider ``W x 2W/3``).

Files: ``JPEGImages/<id>.jpg``; ``SegmentationClass/<id>.png`` (palette PNG
with the VOC palette; a void band of 255, a few pixels wide, on every object
boundary, as in VOC) for train and val; ``SegmentationClassAug/<id>.png``
(plain grayscale class indices, no void band, like the converted SBD set)
for train, val and the extra aug images; ``ImageSets/Segmentation/
{train,val,trainval,aug}.txt`` where ``aug.txt`` is train + extra (val
excluded, like the community 'trainaug' list). Ids look like
``2007_000032``.
"""
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List

import cv2
import numpy as np

from .common import (Canvas, circle, ellipse, image_rng, outer_polygon, pick,
                     place, poly, rect, ring, round_rect, stroke, write_jpg,
                     write_palette_png, write_png, write_text)

CLASSES = ('background', 'aeroplane', 'bicycle', 'bird', 'boat', 'bottle',
           'bus', 'car', 'cat', 'chair', 'cow', 'diningtable', 'dog', 'horse',
           'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train',
           'tvmonitor')
_DATASET_CODE = 2
_SPLIT_CODE = {'train': 0, 'val': 1, 'extra': 2}


def voc_palette(n: int = 256) -> np.ndarray:
    """The standard VOC colour map (bit-interleaved), (n, 3) uint8."""
    pal = np.zeros((n, 3), np.uint8)
    for i in range(n):
        c, r, g, b = i, 0, 0, 0
        for j in range(8):
            r |= ((c >> 0) & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        pal[i] = (r, g, b)
    return pal


# One palette for objects and background clutter alike.
SHARED_PAL = [(200, 40, 35), (40, 60, 160), (230, 200, 50), (235, 235, 230),
              (30, 30, 32), (120, 120, 125), (170, 170, 165), (110, 75, 45),
              (200, 160, 110), (60, 120, 60), (140, 180, 80), (90, 150, 200),
              (210, 120, 40), (150, 60, 130), (60, 160, 160), (240, 180, 170)]
DARK = np.array([30, 30, 32], np.float32)


# ----------------------------------------------------------- class shapes
def _wheels(xs, y, r, tone=None):
    out = []
    for x in xs:
        out.append(circle(x, y, r, color=DARK))
        out.append(circle(x, y, r * 0.4, tone=0.8 if tone is None else tone))
    return out


def _windows(x0, x1, y0, y1, n, tone):
    step = (x1 - x0) / n
    return [
        rect(
            x0 + i * step + 0.1 * step,
            y0,
            x0 + (i + 0.85) * step,
            y1,
            tone=tone) for i in range(n)
    ]


def aeroplane(rng):
    return [
        poly([(-0.1, 0.32), (0.35, 0.32), (-0.45, -0.1), (-0.75, -0.1)],
             tone=0.85),
        ellipse(0, 0.35, 1.15, 0.15),
        poly([(1.0, 0.45), (1.15, 0.35), (1.0, 0.25)], tone=0.7),
        poly([(-0.95, 0.4), (-0.75, 0.4), (-1.05, 0.85), (-1.2, 0.85)]),
        poly([(-1.0, 0.38), (-0.8, 0.38), (-1.1, 0.2),
              (-1.2, 0.2)], tone=0.85),
        ellipse(-0.2, 0.18, 0.18, 0.07, tone=0.6),
    ] + [circle(x, 0.4, 0.03, tone=0.4) for x in np.arange(-0.6, 0.8, 0.12)]


def bicycle(rng):
    t = 0.05
    rear, front = (-0.55, 0.33), (0.55, 0.33)
    bb, seat, head = (-0.05, 0.3), (-0.2, 0.8), (0.4, 0.75)
    return [
        ring(*rear, 0.32, t, color=DARK),
        ring(*front, 0.32, t, color=DARK),
        stroke([rear, bb, seat, rear], t),
        stroke([bb, head, seat], t),
        stroke([head, front], t),
        stroke([head, (0.36, 0.95), (0.25, 0.98)], t, tone=0.4),
        stroke([(-0.32, 0.88), (-0.1, 0.88)], 0.07, tone=0.3),
    ]


def bird(rng):
    return [
        poly([(-0.35, 0.45), (-0.8, 0.55), (-0.75, 0.3)], tone=0.75),
        ellipse(0, 0.45, 0.42, 0.22, angle=12),
        circle(0.4, 0.72, 0.15),
        poly([(0.52, 0.76), (0.72, 0.7), (0.52, 0.66)],
             color=np.array([230, 170, 40], np.float32)),
        ellipse(-0.1, 0.5, 0.28, 0.12, angle=25, tone=0.7),
        stroke([(0.0, 0.25), (0.02, 0.0)], 0.04, color=DARK),
        stroke([(0.12, 0.25), (0.14, 0.0)], 0.04, color=DARK),
        circle(0.45, 0.76, 0.03, color=DARK),
    ]


def boat(rng):
    return [
        poly([(-1.0, 0.35), (1.1, 0.35), (0.8, 0.0), (-0.85, 0.0)]),
        rect(-0.5, 0.35, 0.2, 0.6, tone=0.8),
        stroke([(0.3, 0.35), (0.3, 1.4)], 0.05, tone=0.4),
        poly([(0.35, 0.5), (0.35, 1.35), (1.0, 0.5)],
             tone=rng.uniform(0.5, 1.5)),
        rect(-1.0, 0.28, 1.08, 0.33, tone=0.6),
    ]


def bottle(rng):
    return [
        round_rect(-0.17, 0.0, 0.17, 0.62, 0.05),
        poly([(-0.17, 0.6), (0.17, 0.6), (0.06, 0.75), (-0.06, 0.75)]),
        rect(-0.06, 0.74, 0.06, 0.94),
        rect(-0.07, 0.92, 0.07, 1.0, tone=0.35),
        rect(-0.17, 0.18, 0.17, 0.42, tone=rng.uniform(0.4, 1.6)),
    ]


def bus(rng):
    return ([round_rect(-1.5, 0.1, 1.5, 1.0, 0.1)] +
            _windows(-1.4, 1.1, 0.55, 0.88, 6, 0.35) + [
                rect(1.18, 0.2, 1.42, 0.88, tone=0.35),
                rect(-1.5, 0.45, 1.5, 0.5, tone=0.7)
            ] + _wheels((-1.0, 0.95), 0.12, 0.13))


def car(rng):
    return ([
        round_rect(-1.0, 0.12, 1.0, 0.5, 0.1),
        poly([(-0.6, 0.49), (0.5, 0.49), (0.25, 0.82), (-0.45, 0.82)]),
        poly([(-0.5, 0.53), (-0.05, 0.53), (-0.05, 0.77), (-0.4, 0.77)],
             tone=0.3),
        poly([(0.02, 0.53), (0.42, 0.53), (0.22, 0.77), (0.02, 0.77)],
             tone=0.3),
        rect(0.9, 0.32, 1.0, 0.4, color=np.array([240, 230, 180], np.float32)),
    ] + _wheels((-0.62, 0.62), 0.14, 0.15))


def _legs(xs, y_top, width, tone=0.85, y_bot=0.0, bend=0.0):
    return [
        poly([(x - width / 2, y_top), (x + width / 2, y_top),
              (x + width / 2 + bend, y_bot), (x - width / 2 + bend, y_bot)],
             tone=tone) for x in xs
    ]


def cat(rng):
    return _legs((-0.35, -0.22, 0.25, 0.38), 0.35, 0.09) + [
        ellipse(0, 0.42, 0.5, 0.17),
        stroke([(-0.45, 0.45), (-0.7, 0.6), (-0.72, 0.85),
                (-0.62, 0.95)], 0.07),
        circle(0.52, 0.62, 0.16),
        poly([(0.4, 0.7), (0.44, 0.9), (0.52, 0.74)]),
        poly([(0.56, 0.74), (0.64, 0.9), (0.67, 0.7)]),
        circle(0.56, 0.65, 0.025, color=np.array([90, 160, 60], np.float32)),
    ]


def chair(rng):
    return [
        rect(-0.35, 0.45, 0.35, 0.53),
        rect(-0.35, 0.5, -0.26, 1.0),
        rect(-0.35, 0.9, 0.05, 0.98, tone=0.9),
        rect(-0.35, 0.0, -0.28, 0.46, tone=0.8),
        rect(0.28, 0.0, 0.35, 0.46, tone=0.8),
        rect(-0.18, 0.05, -0.12, 0.46, tone=0.6),
        rect(0.14, 0.05, 0.2, 0.46, tone=0.6),
    ]


def cow(rng):
    spots = [
        ellipse(
            rng.uniform(-0.5, 0.4),
            rng.uniform(0.55, 0.85),
            rng.uniform(0.08, 0.16),
            rng.uniform(0.06, 0.12),
            tone=0.35) for _ in range(int(rng.integers(0, 4)))
    ]
    return _legs((-0.6, -0.45, 0.3, 0.45), 0.5, 0.12) + [
        round_rect(-0.75, 0.45, 0.6, 0.95, 0.12),
        poly([(0.5, 0.92), (0.62, 0.92), (0.95, 0.7), (0.85, 0.55)]),
        round_rect(0.78, 0.4, 1.02, 0.72, 0.06),
        stroke([(0.82, 0.72), (0.76, 0.85)],
               0.04,
               color=np.array([220, 210, 180], np.float32)),
        stroke([(0.96, 0.72), (1.02, 0.85)],
               0.04,
               color=np.array([220, 210, 180], np.float32)),
        stroke([(-0.75, 0.9), (-0.85, 0.5)], 0.04),
        ellipse(
            0.1, 0.43, 0.12, 0.06, color=np.array([230, 170, 160],
                                                  np.float32)),
    ] + spots


def diningtable(rng):
    return [
        poly([(-1.0, 0.75), (1.0, 0.75), (0.8, 0.92), (-0.8, 0.92)]),
        rect(-1.0, 0.68, 1.0, 0.76, tone=0.75),
        rect(-0.95, 0.0, -0.85, 0.7, tone=0.7),
        rect(0.85, 0.0, 0.95, 0.7, tone=0.7),
        rect(-0.7, 0.15, -0.62, 0.72, tone=0.55),
        rect(0.62, 0.15, 0.7, 0.72, tone=0.55),
    ]


def dog(rng):
    return _legs((-0.42, -0.3, 0.3, 0.42), 0.45, 0.12) + [
        ellipse(0, 0.52, 0.52, 0.2),
        stroke([(-0.48, 0.58), (-0.62, 0.78)], 0.07),
        poly([(0.35, 0.6), (0.5, 0.62), (0.62, 0.85), (0.45, 0.9)]),
        ellipse(0.58, 0.88, 0.16, 0.12),
        rect(0.6, 0.78, 0.85, 0.9),
        ellipse(0.5, 0.8, 0.06, 0.14, tone=0.5),
        circle(0.85, 0.86, 0.035, color=DARK),
    ]


def horse(rng):
    return _legs((-0.5, -0.38, 0.35, 0.48), 0.62, 0.08, bend=0.03) + [
        ellipse(0, 0.75, 0.62, 0.2),
        poly([(0.35, 0.75), (0.58, 0.72), (0.88, 1.22), (0.72, 1.3)]),
        ellipse(0.92, 1.18, 0.2, 0.08, angle=-35),
        stroke([(0.42, 0.92), (0.72, 1.32)], 0.07, tone=0.4),
        stroke([(-0.6, 0.85), (-0.72, 0.65), (-0.7, 0.4)], 0.08, tone=0.45),
        poly([(0.7, 1.3), (0.73, 1.42), (0.78, 1.3)]),
    ]


def motorbike(rng):
    return _wheels((-0.6, 0.6), 0.28, 0.28, tone=0.7) + [
        poly([(-0.4, 0.3), (0.3, 0.3), (0.4, 0.75), (-0.1, 0.7)]),
        ellipse(0.1, 0.75, 0.25, 0.1),
        poly([(-0.6, 0.68), (-0.05, 0.68), (-0.08, 0.8), (-0.58, 0.8)],
             color=DARK),
        stroke([(0.6, 0.28), (0.38, 0.95), (0.28, 1.0)], 0.06, color=DARK),
        rect(-0.3, 0.2, 0.1, 0.32, tone=0.5),
    ]


def person(rng):
    step = rng.uniform(-0.06, 0.06)
    top, legs = rng.uniform(0.4, 1.4, 3), rng.uniform(0.3, 1.2, 3)
    skin = np.array([225, 180, 150], np.float32) * rng.uniform(0.45, 1.05)
    return [
        poly([(-0.1, 0.5), (-0.01, 0.5), (-0.04 - step, 0), (-0.12 - step, 0)],
             tone=legs),
        poly([(0.01, 0.5), (0.1, 0.5), (0.12 + step, 0), (0.04 + step, 0)],
             tone=legs),
        round_rect(-0.14, 0.45, 0.14, 0.82, 0.04, tone=top),
        stroke([(-0.14, 0.8), (-0.2, 0.48)], 0.06, tone=top),
        stroke([(0.14, 0.8), (0.2, 0.48)], 0.06, tone=top),
        circle(0, 0.91, 0.08, color=skin),
        ellipse(0, 0.95, 0.085, 0.05, tone=0.3),
    ]


def pottedplant(rng):
    leaves = []
    for _ in range(int(rng.integers(5, 10))):
        a = rng.uniform(20, 160)
        ln = rng.uniform(0.25, 0.45)
        cx = ln * np.cos(np.deg2rad(a))
        cy = 0.42 + ln * np.sin(np.deg2rad(a))
        leaves.append(
            ellipse(
                cx,
                cy,
                ln * 0.6,
                0.07,
                angle=a,
                tone=np.array([0.5, 1.3, 0.6]) * rng.uniform(0.7, 1.2)))
    return [
        poly([(-0.2, 0), (0.2, 0), (0.27, 0.38), (-0.27, 0.38)]),
        rect(-0.29, 0.33, 0.29, 0.42, tone=0.85)
    ] + leaves


def sheep(rng):
    fluff = [
        circle(x, y, rng.uniform(0.12, 0.17))
        for x in np.linspace(-0.45, 0.4, 5) for y in (0.45, 0.62)
    ]
    return _legs((-0.35, -0.22, 0.22, 0.35), 0.42, 0.06, tone=0.25) + fluff + [
        ellipse(0, 0.53, 0.5, 0.2),
        ellipse(0.58, 0.6, 0.14, 0.09, angle=-20, tone=0.25),
        ellipse(0.5, 0.66, 0.06, 0.03, angle=30, tone=0.25),
    ]


def sofa(rng):
    return [
        round_rect(-1.0, 0.1, 1.0, 0.48, 0.05),
        round_rect(-0.95, 0.45, 0.95, 0.85, 0.08, tone=0.9),
        round_rect(-1.12, 0.1, -0.88, 0.62, 0.06, tone=1.1),
        round_rect(0.88, 0.1, 1.12, 0.62, 0.06, tone=1.1),
        stroke([(0, 0.15), (0, 0.82)], 0.03, tone=0.6),
        rect(-0.95, 0.0, -0.85, 0.1, color=DARK),
        rect(0.85, 0.0, 0.95, 0.1, color=DARK),
    ]


def train(rng):
    return ([
        rect(-2.2, 0.15, 1.7, 0.9),
        poly([(1.65, 0.15), (2.2, 0.15), (2.2, 0.45), (1.75, 0.9),
              (1.65, 0.9)]),
        rect(-2.2, 0.85, 1.7, 0.95, tone=0.7),
        stroke([(0.0, 0.95), (0.25, 1.15), (-0.05, 1.3)], 0.03, color=DARK),
        stroke([(-0.25, 1.3), (0.2, 1.3)], 0.03, color=DARK),
        poly([(1.78, 0.55), (2.1, 0.55), (1.8, 0.85)], tone=0.3),
        rect(-2.2, 0.3, 2.2, 0.36, tone=rng.uniform(0.4, 1.6)),
    ] + _windows(-2.1, 1.5, 0.55, 0.78, 8, 0.3) + [
        rect(x, 0.0, x + 0.6, 0.17, color=DARK) for x in (-1.9, -0.7, 0.5)
    ])


def tvmonitor(rng):
    screen = np.array(rng.uniform(10, 200, 3), np.float32)
    return [
        rect(-0.3, 0.0, 0.3, 0.08, tone=0.6),
        rect(-0.05, 0.07, 0.05, 0.25, tone=0.6),
        round_rect(-0.65, 0.22, 0.65, 1.0, 0.03),
        rect(-0.58, 0.28, 0.58, 0.94, color=screen),
        poly([(-0.58, 0.94), (0.0, 0.94), (-0.58, 0.5)],
             color=np.clip(screen * 1.4 + 30, 0, 255)),
    ]


SHAPES = (None, aeroplane, bicycle, bird, boat, bottle, bus, car, cat, chair,
          cow, diningtable, dog, horse, motorbike, person, pottedplant, sheep,
          sofa, train, tvmonitor)
# Relative frequency of each class (person is common in VOC).
CLASS_WEIGHTS = np.array([0] + [1.0] * 14 + [3.0] + [1.0] * 5)
# Classes that may appear strongly rotated (flying, or lying on a side).
_ROLLERS = {1, 3}
# label values of the background (class 0, no instance)
_BG = dict(cls=0, inst=0)


@dataclass
class Sample:
    """One generated image."""
    img: np.ndarray  # (H, W, 3) uint8 RGB
    labels: np.ndarray  # (H, W) uint8 class indices 0..20 (no void band)
    instances: np.ndarray  # (H, W) int32, 0 background, k >= 1 objects
    classes: List[int]  # class of instance k at index k - 1
    polygons: List[list]  # outer contour of each object's full silhouette


class VOCSceneGenerator:
    """Draws one synthetic VOC-like image per call (see module docstring).

    Args:
        width, height: nominal landscape size; portrait images swap them.
        vary_size: vary orientation/aspect per image like VOC.
    """

    def __init__(self,
                 width: int = 160,
                 height: int = 120,
                 vary_size: bool = True):
        self.w, self.h = int(width), int(height)
        self.vary_size = vary_size

    def _size(self, rng):
        if not self.vary_size:
            return self.h, self.w
        u = rng.random()
        if u < 0.6:
            return self.h, self.w
        if u < 0.8:
            return self.w, self.h
        return max(8, int(round(self.w * 2 / 3))), self.w

    def sample(self, rng: np.random.Generator) -> Sample:
        h, w = self._size(rng)
        cv = Canvas(h, w, rng, dict(cls=0, inst=0))
        self._background(rng, cv, h, w)
        n = int(rng.choice([1, 1, 1, 2, 2, 3]))
        p = CLASS_WEIGHTS / CLASS_WEIGHTS.sum()
        classes, polys = [], []
        for k in range(n):
            c = int(rng.choice(len(CLASSES), p=p))
            parts = SHAPES[c](rng)
            allp = np.concatenate([q.pts for q in parts])
            (lx0, ly0), (lx1, ly1) = allp.min(0), allp.max(0)
            th, tw = max(ly1 - ly0, 1e-3), max(lx1 - lx0, 1e-3)
            target_h = rng.uniform(0.35, 0.95) * min(h, w)
            scale = min(target_h / th, rng.uniform(0.5, 1.1) * w / tw)
            scale = max(scale, 6.0 / th)
            sx = scale * rng.uniform(0.85, 1.15)
            cx = rng.uniform(0.15, 0.85) * w - (lx0 + lx1) / 2 * sx
            bottom = rng.uniform(0.6, 1.05) * h
            cy = min(bottom, h + 0.2 * th * scale) + ly0 * scale
            cy = max(cy, th * scale * 0.6 + ly0 * scale)
            angle = rng.uniform(-35, 35) if c in _ROLLERS else rng.uniform(
                -8, 8)
            placed = place(
                parts,
                cx,
                cy,
                sx,
                sy=scale,
                flip=rng.random() < .5,
                angle=angle)
            pattern = self._texture(rng)
            out = cv.paint(
                placed,
                pick(rng, SHARED_PAL, 0.2),
                dict(cls=c, inst=len(classes) + 1),
                fine=rng.uniform(0.02, 0.12),
                coarse=rng.uniform(0.0, 0.2),
                pattern=pattern)
            if out is None:
                continue
            classes.append(c)
            polys.append(outer_polygon(*out))
        img = cv.finish(rng, blur=(0.3, 0.8))
        return Sample(img, cv.layers['cls'].astype(np.uint8),
                      cv.layers['inst'], classes, polys)

    # ------------------------------------------------------------------
    def _texture(self, rng):
        """A class-independent texture: none, stripes, spots or shading."""
        kind = int(rng.integers(4))
        period = rng.uniform(3, 10)
        amp = rng.uniform(0.15, 0.45)
        ang = rng.uniform(0, np.pi)

        def pat(col, ys, xs, m):
            y = np.arange(ys.start, ys.stop, dtype=np.float32)[:, None]
            x = np.arange(xs.start, xs.stop, dtype=np.float32)[None, :]
            if kind == 1:
                t = np.cos(ang) * x + np.sin(ang) * y
                f = 1 - amp * (np.mod(t, period) < period / 2)
            elif kind == 2:
                f = 1 - amp * ((np.sin(x / period * 2.5) *
                                np.sin(y / period * 2.5)) > 0.5)
            elif kind == 3:
                f = 1 + amp * ((y - y.mean()) / max(len(y), 1))
            else:
                return col
            return col * np.asarray(f, np.float32)[..., None]

        return pat

    def _background(self, rng, cv, h, w):
        """Background (class 0) under the objects: one of three scene kinds,
        then generic distractor shapes in the objects' palette, so neither
        colour nor 'is there a shape' tells an object from background."""
        kind = int(rng.integers(3))
        if kind == 0:
            self._indoor_background(rng, cv, h, w)
        elif kind == 1:
            self._outdoor_background(rng, cv, h, w)
        else:
            self._abstract_background(rng, cv, h, w)
        self._paint_distractors(rng, cv, h, w)

    def _indoor_background(self, rng, cv, h, w):
        """A textured wall, a floor below a random line, and 1-4 framed
        rectangles (pictures, shelves, windows) on the wall."""
        full = rect(-1, -1, w + 1, h + 1)
        cv.paint([full],
                 pick(rng, SHARED_PAL, 0.25),
                 _BG,
                 coarse=0.15,
                 pattern=self._texture(rng))
        yf = rng.uniform(0.55, 0.85) * h
        cv.paint([rect(-1, yf, w + 1, h + 1)],
                 pick(rng, SHARED_PAL, 0.25),
                 _BG,
                 fine=0.08,
                 coarse=0.15,
                 pattern=self._texture(rng))
        for _ in range(int(rng.integers(1, 5))):
            x0, y0 = rng.uniform(-0.1, 0.9) * w, rng.uniform(0, 0.6) * h
            bw, bh = rng.uniform(0.1, 0.4) * w, rng.uniform(0.05, 0.3) * h
            cv.paint([
                rect(x0, y0, x0 + bw, y0 + bh),
                rect(
                    x0 + 2,
                    y0 + 2,
                    x0 + bw - 2,
                    y0 + bh - 2,
                    tone=rng.uniform(0.4, 1.6))
            ],
                     pick(rng, SHARED_PAL),
                     _BG,
                     fine=0.05)

    def _outdoor_background(self, rng, cv, h, w):
        """Sky, 0-3 blocks (buildings) and 0-4 round tree crowns standing
        on a ground line, then the ground below it."""
        full = rect(-1, -1, w + 1, h + 1)
        sky = pick(rng, [(120, 170, 230), (190, 195, 200), (230, 180, 130)])
        cv.paint([full], sky, _BG, fine=0.01, coarse=0.2)
        yg = rng.uniform(0.35, 0.75) * h
        for _ in range(int(rng.integers(0, 4))):
            x0 = rng.uniform(-0.1, 0.9) * w
            cv.paint([
                rect(x0, yg - rng.uniform(0.1, 0.4) * h,
                     x0 + rng.uniform(0.1, 0.3) * w, yg + 1)
            ],
                     pick(rng, SHARED_PAL),
                     _BG,
                     fine=0.04)
        for _ in range(int(rng.integers(0, 5))):
            r = rng.uniform(0.05, 0.2) * w
            cv.paint([circle(rng.uniform(0, w), yg - r * 0.5, r)],
                     pick(rng, SHARED_PAL),
                     _BG,
                     fine=0.2,
                     medium=0.2)
        cv.paint([rect(-1, yg, w + 1, h + 1)],
                 pick(rng, SHARED_PAL, 0.25),
                 _BG,
                 fine=0.12,
                 coarse=0.2)

    def _abstract_background(self, rng, cv, h, w):
        """One textured fill with strong coarse shading (no scene)."""
        full = rect(-1, -1, w + 1, h + 1)
        cv.paint([full],
                 pick(rng, SHARED_PAL, 0.25),
                 _BG,
                 coarse=0.4,
                 pattern=self._texture(rng))

    def _paint_distractors(self, rng, cv, h, w):
        """2-8 generic background shapes (ellipses, random polygons,
        strokes) in the objects' palette and textures."""
        for _ in range(int(rng.integers(2, 9))):
            x, y = rng.uniform(0, w), rng.uniform(0, h)
            s = rng.uniform(0.04, 0.25) * min(h, w)
            t = int(rng.integers(3))
            if t == 0:
                part = ellipse(
                    x,
                    y,
                    s,
                    s * rng.uniform(0.3, 1.0),
                    angle=rng.uniform(0, 180))
            elif t == 1:
                k = int(rng.integers(3, 7))
                a = np.sort(rng.uniform(0, 2 * np.pi, k))
                rr = s * rng.uniform(0.5, 1.0, k)
                part = poly(
                    np.stack([x + rr * np.cos(a), y + rr * np.sin(a)], 1))
            else:
                a = rng.uniform(0, np.pi)
                part = stroke([(x - s * np.cos(a), y - s * np.sin(a)),
                               (x + s * np.cos(a), y + s * np.sin(a))],
                              rng.uniform(1, 0.25 * s + 1.5))
            cv.paint([part],
                     pick(rng, SHARED_PAL, 0.2),
                     _BG,
                     fine=rng.uniform(0.02, 0.12),
                     pattern=self._texture(rng))


def void_boundaries(instances: np.ndarray, width: int) -> np.ndarray:
    """Bool mask of pixels within ``width // 2`` of an instance boundary."""
    k = np.ones((width, width), np.uint8)
    inst = instances.astype(np.float32)
    return cv2.dilate(inst, k) != cv2.erode(inst, k)


def voc_ids(split: str, num: int) -> List[str]:
    """VOC-style ids ``<year>_<number:06d>``, disjoint between splits."""
    code = _SPLIT_CODE[split]
    out = []
    for i in range(num):
        g = 3 * i + code
        out.append(f'{2007 + g % 6}_{32 + 17 * (g // 6) + g % 6:06d}')
    return out


def generate_voc(out_dir: str,
                 seed: int = 0,
                 num_train: int = 48,
                 num_val: int = 24,
                 num_extra: int = 96,
                 size=(160, 120),
                 vary_size: bool = True,
                 boundary: int = 0) -> Dict[str, int]:
    """Write a synthetic VOC2012 + SBD-aug tree into ``out_dir`` (the
    ``VOCdevkit/VOC2012`` folder itself). Returns images per split.

    ``boundary``: width (px) of the void band in ``SegmentationClass``;
    0 picks ``max(3, min(size) // 40)`` rounded up to odd.
    """
    gen = VOCSceneGenerator(*size, vary_size=vary_size)
    if boundary <= 0:
        boundary = max(3, min(size) // 40)
        boundary += 1 - boundary % 2
    pal = voc_palette()
    ids = {
        s: voc_ids(s, n)
        for s, n in (('train', num_train), ('val', num_val), ('extra',
                                                              num_extra))
    }
    for split, names in ids.items():
        for i, name in enumerate(names):
            s = gen.sample(
                image_rng(seed, _DATASET_CODE, _SPLIT_CODE[split], i))
            write_jpg(osp.join(out_dir, 'JPEGImages', name + '.jpg'), s.img)
            write_png(
                osp.join(out_dir, 'SegmentationClassAug', name + '.png'),
                s.labels)
            if split != 'extra':
                lab = s.labels.copy()
                lab[void_boundaries(s.instances, boundary)] = 255
                write_palette_png(
                    osp.join(out_dir, 'SegmentationClass', name + '.png'), lab,
                    pal)
    sets = osp.join(out_dir, 'ImageSets', 'Segmentation')
    lists = dict(
        train=sorted(ids['train']),
        val=sorted(ids['val']),
        trainval=sorted(ids['train'] + ids['val']),
        aug=sorted(ids['train'] + ids['extra']))
    for name, lst in lists.items():
        write_text(
            osp.join(sets, name + '.txt'), ''.join(i + '\n' for i in lst))
    return {k: len(v) for k, v in ids.items()}

"""Synthetic street scenes written in the Cityscapes on-disk format.

Each image is a pinhole-camera street scene (camera 1.3 m above a flat
ground plane, focal length 1.1 x image width, random horizon height and
vanishing point), painted back to front:

* **sky** fills the image (gradient in a random sky palette: blue, overcast,
  haze, dusk) with soft clouds;
* **terrain** fills the ground below the horizon (grass / dirt, speckled);
* far **buildings** stand on the horizon at the end of the street, optionally
  behind a distant tree line (**vegetation**);
* each side of the street is either a row of building facades in perspective
  (per-building colour and height, window grid computed in the facade plane)
  or a park (terrain with trees and bushes behind an optional **wall** or
  **fence** with perspective-correct bars);
* the **road** (asphalt, dashed centre line, optional tram rails) and
  **sidewalks** (tiled, kerb line) are triangles converging at the
  vanishing point;
* objects standing on the ground are painted far to near, sized by their
  distance: **poles** on the kerb carrying **traffic signs** (disc, triangle,
  square, diamond) or **traffic lights** (possibly on an arm over the road),
  street trees, **persons** on sidewalks (some crossing the road), **cars**,
  **trucks**, **buses** and **trains** (trams) on the road seen from behind
  or from the side, parked **bicycles** and **motorcycles**, and **riders**
  on bicycles / motorcycles, plus 'static' and 'dynamic' clutter (boxes,
  bins) that is ignored (train id 255) like in Cityscapes;
* an **ego-vehicle** bonnet (ignored) at the bottom of half of the images.

Classes are defined by shape, size-with-depth and context (where in the
scene they stand), not by colour: palettes are shared between classes
(greys for road, sidewalk, buildings, walls, poles and cars; greens for
terrain and vegetation; sky can be as grey as a facade) and every colour is
jittered per object, on top of per-image lighting gradients, colour casts,
gamma, blur and noise.

Files per sample (``<city>_<seq:06d>_000019``):
``leftImg8bit/<split>/<city>/..._leftImg8bit.png`` (RGB),
``gtFine/<split>/<city>/..._gtFine_labelTrainIds.png`` (uint8, 0..18, 255),
``..._gtFine_labelIds.png`` (uint8 Cityscapes label ids),
``..._gtFine_instanceIds.png`` (uint16: ``labelId * 1000 + k`` for the k-th
instance of a thing class, the label id elsewhere) and
``..._gtFine_polygons.json`` (``imgHeight``, ``imgWidth``, ``objects`` in
painting order, each ``{'label', 'polygon'}`` with the outer contour of the
object's full silhouette; painting the polygons in order approximately
reproduces the label image, and the k-th object of a thing label is instance
``k``). ``leftImg8bit/train_extra`` holds unlabeled images only.
"""
import colorsys
import os.path as osp
from dataclasses import dataclass, replace
from typing import Dict, List

import numpy as np

from .class_texture import texture_classes
from .common import (Canvas, circle, ellipse, image_rng, outer_polygon, pick,
                     place, poly, rect, ring, round_rect, shift, stroke,
                     write_json, write_png)

CLASSES = ('road', 'sidewalk', 'building', 'wall', 'fence', 'pole',
           'traffic light', 'traffic sign', 'vegetation', 'terrain', 'sky',
           'person', 'rider', 'car', 'truck', 'bus', 'train', 'motorcycle',
           'bicycle')
# Official Cityscapes labelId of each trainId (cityscapesscripts labels.py).
LABEL_IDS = (7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 31,
             32, 33)
THING_CLASSES = ('person', 'rider', 'car', 'truck', 'bus', 'train',
                 'motorcycle', 'bicycle')
# Ignored (trainId 255) Cityscapes labels the generator draws.
IGNORED_LABEL_IDS = {
    'unlabeled': 0,
    'ego vehicle': 1,
    'static': 4,
    'dynamic': 5
}
TRAIN_ID = {c: i for i, c in enumerate(CLASSES)}

TRAIN_CITIES = ('aachen', 'bochum', 'bremen', 'cologne', 'darmstadt',
                'dusseldorf', 'erfurt', 'hamburg', 'hanover', 'jena',
                'krefeld', 'monchengladbach', 'strasbourg', 'stuttgart',
                'tubingen', 'ulm', 'weimar', 'zurich')
VAL_CITIES = ('frankfurt', 'lindau', 'munster')
EXTRA_CITIES = ('augsburg', 'bad-honnef', 'bamberg', 'bayreuth', 'dortmund',
                'dresden', 'duisburg', 'erlangen', 'freiburg', 'heidelberg',
                'heilbronn', 'karlsruhe', 'konigswinter', 'konstanz',
                'mannheim', 'muhlheim-ruhr', 'nuremberg', 'oberhausen',
                'saarbrucken', 'schweinfurt', 'troisdorf', 'wuppertal',
                'wurzburg')
SPLIT_CITIES = {
    'train': TRAIN_CITIES,
    'val': VAL_CITIES,
    'train_extra': EXTRA_CITIES
}
_SPLIT_CODE = {'train': 0, 'val': 1, 'train_extra': 2}
_DATASET_CODE = 1

GREYS = [(60, 60, 62), (85, 85, 88), (110, 110, 112), (135, 135, 138),
         (160, 160, 160), (185, 185, 180), (210, 208, 200)]
BUILDING_PAL = GREYS + [(200, 180, 150), (150, 85, 65), (220, 210, 180),
                        (150, 165, 185), (95, 75, 62), (175, 150, 120)]
SIDEWALK_PAL = GREYS[2:] + [(160, 110, 95), (190, 170, 140)]
ROAD_PAL = GREYS[:4] + [(95, 88, 80), (70, 72, 80)]
SKY_PAL = [((90, 140, 210), (175, 205, 240)),
           ((150, 155, 162), (205, 205, 210)),
           ((190, 190, 180), (225, 225, 215)),
           ((110, 120, 165), (235, 170, 120)),
           ((120, 160, 200), (150, 160, 170))]
VEG_PAL = [(45, 100, 40), (75, 125, 50), (35, 75, 35), (115, 135, 60),
           (150, 110, 50), (95, 110, 70)]
TERRAIN_PAL = [(110, 140, 70), (140, 130, 90), (90, 120, 60), (160, 150, 110),
               (120, 110, 80)]
CAR_PAL = GREYS + [(190, 30, 30), (30, 50, 140), (235, 235, 235), (20, 20, 25),
                   (90, 110, 70), (200, 180, 150), (150, 85, 65)]
BUS_PAL = [(230, 190, 40), (190, 30, 30), (230, 230, 230), (40, 80, 160),
           (90, 140, 90)] + GREYS[3:]
CLOTHES_PAL = GREYS + [(30, 30, 35), (40, 50, 90), (150, 30, 30),
                       (200, 180, 150), (70, 90, 60), (230, 230, 230),
                       (120, 80, 50), (190, 120, 40)]
SKIN_PAL = [(230, 190, 160), (200, 150, 110), (140, 95, 65), (90, 60, 45)]
SIGN_PAL = [(200, 30, 30), (30, 60, 170), (230, 200, 40), (230, 230, 230),
            (40, 130, 60)]
DARK = np.array([28, 28, 30], np.float32)

CAM_H = 1.3  # camera height above the ground (m)


@dataclass
class Sample:
    """One generated scene."""
    img: np.ndarray  # (H, W, 3) uint8 RGB
    train_ids: np.ndarray  # (H, W) uint8
    label_ids: np.ndarray  # (H, W) uint8
    instance_ids: np.ndarray  # (H, W) uint16
    objects: List[dict]  # Cityscapes polygon objects, painting order


@dataclass
class _Street:
    """Lateral layout of one scene's street, in metres (X to the right of
    the camera)."""
    XL: float  # left kerb (road edge)
    XR: float  # right kerb
    XoL: float  # left building line (outer edge of the sidewalk)
    XoR: float  # right building line
    sides: Dict[str, tuple]  # 'L' / 'R' -> (building line X, outward sign)
    kinds: Dict[str, str]  # 'L' / 'R' -> 'facade' or 'park'
    zend: Dict[str, float]  # 'L' / 'R' -> depth where the side ends


# ------------------------------------------------------------ object shapes
def _car_rear(rng):
    w, h = rng.uniform(0.9, 1.1), rng.uniform(0.9, 1.2)
    win = pick(rng, [(40, 45, 60), (90, 110, 130), (25, 25, 30)])
    return [
        rect(-0.85 * w, 0, -0.55 * w, 0.4, color=DARK),
        rect(0.55 * w, 0, 0.85 * w, 0.4, color=DARK),
        round_rect(-0.9 * w, 0.25, 0.9 * w, 0.95 * h, 0.15),
        poly([(-0.78 * w, 0.93 * h), (0.78 * w, 0.93 * h), (0.6 * w, 1.45 * h),
              (-0.6 * w, 1.45 * h)]),
        poly([(-0.64 * w, 1.0 * h), (0.64 * w, 1.0 * h), (0.52 * w, 1.38 * h),
              (-0.52 * w, 1.38 * h)],
             color=win),
        rect(
            -0.86 * w,
            0.62 * h,
            -0.6 * w,
            0.78 * h,
            color=np.array([200, 40, 35], np.float32)),
        rect(
            0.6 * w,
            0.62 * h,
            0.86 * w,
            0.78 * h,
            color=np.array([200, 40, 35], np.float32)),
        rect(
            -0.25,
            0.38,
            0.25,
            0.5,
            color=np.array([225, 225, 215], np.float32)),
    ]


def _car_side(rng):
    ln, h = rng.uniform(0.9, 1.1), rng.uniform(0.9, 1.15)
    win = pick(rng, [(40, 45, 60), (90, 110, 130), (25, 25, 30)])
    L = 2.15 * ln
    return [
        round_rect(-L, 0.3, L, 0.95 * h, 0.25),
        poly([(-1.35 * ln, 0.93 * h), (1.0 * ln, 0.93 * h),
              (0.45 * ln, 1.45 * h), (-1.0 * ln, 1.45 * h)]),
        poly([(-1.2 * ln, 1.0 * h), (-0.15 * ln, 1.0 * h),
              (-0.15 * ln, 1.38 * h), (-0.95 * ln, 1.38 * h)],
             color=win),
        poly([(-0.05 * ln, 1.0 * h), (0.85 * ln, 1.0 * h),
              (0.4 * ln, 1.38 * h), (-0.05 * ln, 1.38 * h)],
             color=win),
        circle(-1.35 * ln, 0.33, 0.33, color=DARK),
        circle(1.35 * ln, 0.33, 0.33, color=DARK),
        circle(-1.35 * ln, 0.33, 0.13, tone=0.8),
        circle(1.35 * ln, 0.33, 0.13, tone=0.8),
    ]


def _truck(rng, side):
    if not side:
        w = rng.uniform(1.15, 1.3)
        return [
            rect(-0.95 * w, 0, -0.5 * w, 0.6, color=DARK),
            rect(0.5 * w, 0, 0.95 * w, 0.6, color=DARK),
            rect(-w, 0.45, w, 0.95, color=DARK * 1.5),
            rect(-w, 0.9, w, rng.uniform(3.0, 3.8)),
            rect(
                -0.95 * w,
                0.6,
                -0.7 * w,
                0.8,
                color=np.array([210, 60, 40], np.float32)),
            rect(
                0.7 * w,
                0.6,
                0.95 * w,
                0.8,
                color=np.array([210, 60, 40], np.float32)),
        ]
    top = rng.uniform(3.0, 3.8)
    cab = rng.uniform(0.7, 1.2, 3) * 80 + 60
    return [
        rect(-4.0, 0.9, 1.9, top),
        rect(-4.0, 0.5, 4.0, 1.0, color=DARK * 1.5),
        round_rect(2.0, 0.6, 4.0, 3.0, 0.3, color=cab),
        poly([(2.6, 1.8), (3.95, 1.8), (3.95, 2.8), (2.6, 2.8)],
             color=np.array([50, 60, 75], np.float32)),
        circle(-3.0, 0.5, 0.5, color=DARK),
        circle(-1.9, 0.5, 0.5, color=DARK),
        circle(3.1, 0.5, 0.5, color=DARK),
    ]


def _bus(rng, side):
    win = pick(rng, [(30, 35, 45), (70, 90, 110)])
    if not side:
        return [
            rect(-1.2, 0, -0.8, 0.5, color=DARK),
            rect(0.8, 0, 1.2, 0.5, color=DARK),
            round_rect(-1.27, 0.3, 1.27, 3.1, 0.2),
            rect(-1.1, 1.9, 1.1, 2.85, color=win),
            rect(
                -0.9,
                2.88,
                0.9,
                3.05,
                color=np.array([20, 20, 20], np.float32)),
            rect(
                -1.2,
                0.5,
                -0.95,
                0.8,
                color=np.array([210, 60, 40], np.float32)),
            rect(
                0.95, 0.5, 1.2, 0.8, color=np.array([210, 60, 40],
                                                    np.float32)),
        ]
    parts = [round_rect(-6.0, 0.3, 6.0, 3.1, 0.3)]
    for x in np.arange(-5.6, 5.0, 1.45):
        parts.append(rect(x, 1.6, x + 1.2, 2.75, color=win))
    parts += [
        rect(4.9, 0.5, 5.8, 2.75, color=win),
        circle(-4.0, 0.5, 0.5, color=DARK),
        circle(4.0, 0.5, 0.5, color=DARK)
    ]
    return parts


def _train(rng, side):
    win = pick(rng, [(30, 35, 45), (70, 90, 110)])
    pant = [
        stroke([(-0.5, 3.4), (0.2, 4.2), (-0.3, 4.6)], 0.06, color=DARK),
        stroke([(-0.7, 4.6), (0.4, 4.6)], 0.06, color=DARK)
    ]
    if not side:
        return [
            rect(-1.1, 0.1, 1.1, 0.6, color=DARK),
            round_rect(-1.3, 0.4, 1.3, 3.4, 0.6),
            round_rect(-1.05, 1.8, 1.05, 3.0, 0.3, color=win),
            rect(-1.3, 0.9, 1.3, 1.1, tone=0.6),
        ] + pant
    parts = [
        round_rect(-12.0, 0.4, 12.0, 3.4, 0.8),
        rect(-12.0, 0.9, 12.0, 1.1, tone=0.6)
    ]
    for x in np.arange(-11.0, 10.5, 2.2):
        parts.append(rect(x, 1.8, x + 1.6, 2.8, color=win))
    for x in (-9.0, -3.0, 3.0, 9.0):
        parts.append(rect(x - 1.0, 0.05, x + 1.0, 0.55, color=DARK))
    return parts + [shift(p, 5.0, 0.0) for p in pant]


def _person(rng, riding=False):
    """Walking person (front/back view), or seated on a bike (side view)."""
    hs = rng.uniform(0.88, 1.1)
    top = pick(rng, CLOTHES_PAL)
    legs = pick(rng, CLOTHES_PAL)
    skin = pick(rng, SKIN_PAL, 0.08)
    hair = pick(rng, [(30, 25, 20), (90, 60, 35), (170, 140, 90),
                      (120, 120, 120)], 0.1)
    if riding:
        return [
            stroke([(-0.25, 1.0), (0.0, 0.72), (-0.02, 0.35)],
                   0.15,
                   color=legs),
            stroke([(-0.25, 1.02), (0.15, 1.55)], 0.36, color=top),
            stroke([(0.12, 1.5), (0.45, 1.08)], 0.1, color=top),
            circle(0.24, 1.72, 0.12, color=skin),
            ellipse(0.21, 1.78, 0.12, 0.07, color=hair),
        ]
    step = rng.uniform(-0.15, 0.15)
    bag = rng.random() < 0.25
    parts = [
        poly([(-0.16, 0.92), (-0.02, 0.92), (-0.08 - step, 0),
              (-0.2 - step, 0)],
             color=legs),
        poly([(0.02, 0.92), (0.16, 0.92), (0.2 + step, 0), (0.08 + step, 0)],
             color=legs),
        round_rect(-0.2, 0.85, 0.2, 1.5 * hs, 0.07, color=top),
        stroke([(-0.21, 1.45 * hs), (-0.3, 0.88)], 0.09, color=top),
        stroke([(0.21, 1.45 * hs), (0.3, 0.88)], 0.09, color=top),
        circle(0, 1.62 * hs, 0.11, color=skin),
        ellipse(0, 1.67 * hs, 0.115, 0.07, color=hair),
    ]
    if bag:
        parts.append(rect(0.25, 0.8, 0.5, 1.15, color=pick(rng, GREYS)))
    return parts


def _bicycle(rng, side=True):
    t = 0.045
    c = pick(rng, CAR_PAL)
    if not side:
        return [
            stroke([(0, 0), (0, 0.7)], 0.06, color=DARK),
            stroke([(-0.3, 1.0), (0.3, 1.0)], t, color=c),
            stroke([(0, 0.65), (0, 1.0)], 0.05, color=c)
        ]
    rear, front = (-0.55, 0.34), (0.55, 0.34)
    bb, seat, head = (-0.05, 0.32), (-0.22, 0.85), (0.42, 0.82)
    return [
        ring(*rear, 0.33, t, color=DARK),
        ring(*front, 0.33, t, color=DARK),
        stroke([rear, bb, seat, rear], t, color=c),
        stroke([bb, head, seat], t, color=c),
        stroke([head, front], t, color=c),
        stroke([head, (0.38, 1.02), (0.3, 1.05)], t, color=DARK),
        stroke([(-0.32, 0.95), (-0.12, 0.95)], 0.06, color=DARK),
    ]


def _motorcycle(rng, side=True):
    c = pick(rng, CAR_PAL)
    if not side:
        return [
            rect(-0.1, 0, 0.1, 0.6, color=DARK),
            round_rect(-0.35, 0.45, 0.35, 1.0, 0.1, color=c),
            stroke([(-0.45, 1.15), (0.45, 1.15)], 0.05, color=DARK)
        ]
    return [
        circle(-0.7, 0.32, 0.32, color=DARK),
        circle(0.7, 0.32, 0.32, color=DARK),
        circle(-0.7, 0.32, 0.14, tone=0.7),
        circle(0.7, 0.32, 0.14, tone=0.7),
        poly([(-0.5, 0.35), (0.35, 0.35), (0.45, 0.85), (-0.1, 0.8)], color=c),
        poly([(-0.65, 0.75), (-0.05, 0.75), (-0.1, 0.88), (-0.6, 0.88)],
             color=DARK),
        stroke([(0.7, 0.32), (0.48, 1.05), (0.38, 1.12)], 0.06, color=DARK),
    ]


def _pole(rng, height, arm=0.0):
    w = rng.uniform(0.1, 0.22)
    parts = [stroke([(0, 0), (0, height)], w)]
    if arm:
        parts.append(stroke([(0, height - 0.1), (arm, height - 0.1)], w * 0.8))
    return parts


def _sign(rng):
    c = pick(rng, SIGN_PAL)
    kind = rng.integers(4)
    r = rng.uniform(0.28, 0.42)
    if kind == 0:
        shape = circle(0, 0, r, color=c)
    elif kind == 1:
        shape = poly([(-r, -0.8 * r), (r, -0.8 * r), (0, r)], color=c)
    elif kind == 2:
        shape = rect(-r, -0.7 * r, r, 0.7 * r, color=c)
    else:
        shape = poly([(0, -r), (r, 0), (0, r), (-r, 0)], color=c)
    inner = circle(0, 0, 0.4 * r, color=pick(rng, SIGN_PAL))
    return [shape, inner]


def _traffic_light(rng):
    box = pick(rng, [(25, 25, 28), (60, 60, 60), (40, 60, 40)], 0.1)
    on = int(rng.integers(3))
    lamps = [(200, 40, 30), (220, 170, 30), (40, 200, 90)]
    parts = [round_rect(-0.18, -0.45, 0.18, 0.45, 0.06, color=box)]
    for i, y in enumerate((0.28, 0.0, -0.28)):
        c = np.array(lamps[i], np.float32) * (1.0 if i == on else 0.3)
        parts.append(circle(0, y, 0.1, color=c))
    return parts


def _tree(rng, trunk_h, crown_r):
    trunk = np.array([90, 65, 45], np.float32) * rng.uniform(0.7, 1.2)
    parts = [
        stroke([(0, 0), (0, trunk_h + crown_r * 0.5)],
               rng.uniform(0.2, 0.45),
               color=trunk)
    ]
    for _ in range(int(rng.integers(3, 7))):
        a = rng.uniform(0, 2 * np.pi)
        d = rng.uniform(0, 0.6) * crown_r
        r = crown_r * rng.uniform(0.55, 0.9)
        parts.append(
            ellipse(
                d * np.cos(a),
                trunk_h + crown_r + d * np.sin(a),
                r,
                r * rng.uniform(0.8, 1.1),
                tone=rng.uniform(0.8, 1.15)))
    return parts


def _bush(rng, size):
    return [
        ellipse(
            rng.uniform(-0.6, 0.6) * size,
            size * rng.uniform(0.3, 0.6),
            size * rng.uniform(0.4, 0.8),
            size * rng.uniform(0.3, 0.6),
            tone=rng.uniform(0.85, 1.1)) for _ in range(3)
    ]


# ----------------------------------------------------------------- the scene
class CityscapesSceneGenerator:
    """Draws one synthetic street scene per call (see the module docstring).

    Args:
        width, height: image size in pixels (Cityscapes is 2:1).
        min_thin_px: > 0 draws poles (and traffic-light arms) at least this
            many pixels wide and traffic lights and signs at least this many
            pixels across (scaled about their centre), the CPU benchmark's
            easier data: at 1/8 of Cityscapes' resolution a far pole is
            1-2 px wide, too thin to carry the class texture
            (:mod:`.class_texture`), where in the real 2048 px images it has
            8-16 px of texture and shape. 0 (default) draws them at their
            true size; it takes no random draws either way, so the rest of
            the scene is the same.
    """

    def __init__(self, width: int = 256, height: int = 128,
                 min_thin_px: float = 0.0):
        self.w, self.h = int(width), int(height)
        self.min_thin_px = float(min_thin_px)

    # camera --------------------------------------------------------------
    def _proj(self, X, Y, z):
        """Image position of world point (X lateral, Y up, z depth), metres."""
        z = np.maximum(z, 1e-3)
        return (self.xv + self.f * X / z, self.yh + self.f * (CAM_H - Y) / z)

    def _ppm(self, z):
        return self.f / max(z, 1e-3)

    def _ground_z(self, y):
        """Depth of the ground seen at image row(s) y (1e6 above horizon)."""
        d = np.asarray(y, np.float64) + 0.5 - self.yh
        return np.where(d > 0, self.f * CAM_H / np.maximum(d, 1e-3), 1e6)

    # paint helpers -------------------------------------------------------
    def _paint(self, name, parts, color, **kw):
        """Paint an object of Cityscapes label ``name``; record its polygon."""
        if name in TRAIN_ID:
            tid, lid = TRAIN_ID[name], LABEL_IDS[TRAIN_ID[name]]
        else:
            tid, lid = 255, IGNORED_LABEL_IDS[name]
        iid = lid
        is_thing = name in THING_CLASSES
        if is_thing:
            iid = lid * 1000 + self.counts.get(name, 0)
        out = self.canvas.paint(parts, color, dict(tid=tid, lid=lid, iid=iid),
                                **kw)
        if out is None:
            return None
        if is_thing:
            self.counts[name] = self.counts.get(name, 0) + 1
        mask, x0, y0 = out
        self.objects.append(
            dict(label=name, polygon=outer_polygon(mask, x0, y0)))
        return out

    def _place_ground(self, parts, X, z, flip=False):
        cx, cy = self._proj(X, 0.0, z)
        return place(parts, cx, cy, self._ppm(z), flip=flip)

    # ---------------------------------------------------------------------
    def sample(self, rng: np.random.Generator) -> Sample:
        """Generate one scene with ``rng``.

        The scene is painted back to front (see the module docstring), one
        step per method below. Every step draws from ``rng`` in a fixed
        order, so the same generator state gives the same bytes: a step
        must not be reordered, skipped or given extra draws without bumping
        :data:`~.generate.GENERATOR_VERSION`.
        """
        self._setup_camera(rng)
        self._paint_sky(rng)
        self._paint_terrain(rng)
        street = self._street_layout(rng)
        self._paint_far_background(rng, street)
        self._paint_street_sides(rng, street)
        rails = self._paint_road(rng, street)
        self._paint_sidewalks(rng, street)
        self._paint_barriers(rng, street)
        self._paint_ground_objects(rng, street, rails)
        self._paint_ego_vehicle(rng)
        img = self.canvas.finish(rng)
        L = self.canvas.layers
        return Sample(img, L['tid'].astype(np.uint8),
                      L['lid'].astype(np.uint8), L['iid'].astype(np.uint16),
                      self.objects)

    # ------------------------------------------------------ painting steps
    def _setup_camera(self, rng):
        """A fresh canvas (its noise fields come from ``rng``), a random
        horizon row and vanishing point, and the ground's depth ``_zg``
        ``(h, 1)`` and lateral position ``_Xg`` ``(h, w)`` per pixel, which
        the road and sidewalk patterns need to draw markings in metres."""
        w, h = self.w, self.h
        self.canvas = Canvas(h, w, rng, dict(tid=255, lid=0, iid=0))
        self.objects, self.counts = [], {}
        self.yh = h * rng.uniform(0.36, 0.5)
        self.xv = w * rng.uniform(0.38, 0.62)
        self.f = 1.1 * w
        self._yy = np.arange(h, dtype=np.float64)[:, None]
        xx = np.arange(w, dtype=np.float64)[None, :]
        self._zg = self._ground_z(self._yy)  # (h, 1) depth of each row
        self._Xg = (xx + 0.5 - self.xv) * self._zg / self.f  # (h, w)

    def _paint_sky(self, rng):
        """Sky over the whole image first (everything else covers it): a
        vertical gradient in a random sky palette, down to the horizon,
        with soft clouds from the canvas' coarse noise."""
        w, h, yy = self.w, self.h, self._yy
        top, bot = SKY_PAL[int(rng.integers(len(SKY_PAL)))]
        top, bot = pick(rng, [top], 0.1), pick(rng, [bot], 0.1)

        def sky_pat(col, ys, xs, m):
            t = np.clip(yy[ys] / max(self.yh, 1.0), 0, 1)[..., None]
            g = top * (1 - t) + bot * t
            cloud = np.clip(self.canvas.coarse[ys, xs], 0, None)[..., None]
            return (g + rng.uniform(0, 40) * cloud) * np.ones_like(col)

        big = rect(-w, -h, 2 * w, 2 * h)
        self._paint('sky', [big], top, fine=0.01, coarse=0.0, pattern=sky_pat)

    def _paint_terrain(self, rng):
        """Terrain everywhere below the horizon: the ground that road,
        sidewalks, buildings and parks later cover, so whatever stays
        visible between them is terrain."""
        w, h = self.w, self.h
        ter = pick(rng, TERRAIN_PAL)
        self._paint(
            'terrain', [rect(-w, self.yh, 2 * w, 2 * h)],
            ter,
            fine=0.18,
            coarse=0.15,
            medium=0.12)

    def _street_layout(self, rng) -> '_Street':
        """Kerbs and building lines of the street (at least 5.5 m of road),
        and per side whether it is a row of facades or a park and how deep
        it goes."""
        XL = -rng.uniform(2.0, 6.0)
        XR = max(XL + 5.5, rng.uniform(2.0, 6.0))
        XoL = XL - rng.uniform(1.5, 4.0)
        XoR = XR + rng.uniform(1.5, 4.0)
        sides = {'L': (XoL, -1), 'R': (XoR, 1)}
        kinds = {
            s: ('facade' if rng.random() < 0.65 else 'park')
            for s in sides
        }
        zend = {s: rng.uniform(35, 140) for s in sides}
        return _Street(XL, XR, XoL, XoR, sides, kinds, zend)

    def _paint_far_background(self, rng, street):
        """What closes the end of the street, beyond both sides' depth: an
        optional distant tree line, then a row of building fronts facing
        the camera (with gaps) in front of it."""
        zfar = max(street.zend.values()) + rng.uniform(10, 60)
        if rng.random() < 0.35:
            self._paint_far_tree_line(rng, zfar)
        self._paint_far_buildings(rng, zfar)

    def _paint_far_tree_line(self, rng, zfar):
        """Round tree crowns every 4 m across the view, just behind the far
        buildings (``zfar + 5``)."""
        for X in np.arange(-45, 45, 4.0):
            r = rng.uniform(3, 7)
            self._paint(
                'vegetation',
                place([circle(0, 0, r)],
                      *self._proj(X + rng.uniform(-2, 2),
                                  r * rng.uniform(0.6, 1.4), zfar + 5),
                      self._ppm(zfar + 5)),
                pick(rng, VEG_PAL),
                fine=0.2,
                medium=0.15)

    def _paint_far_buildings(self, rng, zfar):
        """Building fronts at depth ``zfar`` from X = -60 to 60 m, each
        8-25 m wide; one in five is left out (a gap showing what is
        behind)."""
        X = -60.0
        while X < 60:
            bw = rng.uniform(8, 25)
            if rng.random() < 0.8:
                bh_ = rng.uniform(5, 35)
                self._paint(
                    'building',
                    self._building_front(rng, X, X + bw, bh_, zfar),
                    pick(rng, BUILDING_PAL),
                    pattern=self._window_pattern(rng, 'front', zfar),
                    fine=0.04)
            X += bw

    def _paint_street_sides(self, rng, street):
        """Both sides of the street, left then right: a facade side is
        painted at once; a park side's trees and bushes are collected and
        painted after both sides, far to near, so near vegetation covers
        far vegetation of either side."""
        back_objects = []
        for s, (Xo, sgn) in street.sides.items():
            if street.kinds[s] == 'facade':
                self._paint_facades(rng, Xo, street.zend[s])
            else:
                back_objects += self._park_vegetation(rng, Xo, sgn)
        for z, kind, X in sorted(back_objects, key=lambda t: -t[0]):
            self._veg(rng, kind, X, z)

    def _paint_facades(self, rng, Xo, zend):
        """Consecutive building facades along the building line ``Xo``
        (8-30 m long, 6-28 m high) from 1 m to ``zend`` deep, each with its
        own colour and a perspective-correct window grid."""
        z = 1.0
        while z < zend:
            ln = rng.uniform(8, 30)
            bh_ = rng.uniform(6, 28)
            quad = [
                self._proj(Xo, 0, z),
                self._proj(Xo, 0, z + ln),
                self._proj(Xo, bh_, z + ln),
                self._proj(Xo, bh_, z)
            ]
            self._paint(
                'building', [poly(quad)],
                pick(rng, BUILDING_PAL),
                fine=0.04,
                pattern=self._window_pattern(rng, 'side', Xo))
            z += ln

    def _park_vegetation(self, rng, Xo, sgn):
        """``(z, kind, X)`` of a park's trees and bushes beyond the building
        line ``Xo`` (``sgn``: the side's outward direction); painted by the
        caller."""
        out = []
        for _ in range(int(rng.integers(3, 10))):
            z = rng.uniform(4, 90)
            X = Xo + sgn * rng.uniform(0.5, 12)
            out.append((z, 'tree', X))
        for _ in range(int(rng.integers(0, 4))):
            z = rng.uniform(4, 60)
            X = Xo + sgn * rng.uniform(0.3, 6)
            out.append((z, 'bush', X))
        return out

    def _ground_triangle(self, X0, X1):
        """Ground strip between lateral positions ``X0`` and ``X1`` from
        0.5 m ahead of the camera to the vanishing point, as a triangle."""
        near = 0.5
        V = (self.xv, self.yh)
        return [poly([self._proj(X0, 0, near), self._proj(X1, 0, near), V])]

    def _paint_road(self, rng, street):
        """The road between the kerbs: asphalt with a dashed centre line
        and, in a quarter of the scenes, tram rails (whose lateral position
        a train follows). Returns ``(rails, Xrail)``."""
        XL, XR = street.XL, street.XR
        zg, Xg = self._zg, self._Xg
        road_col = pick(rng, ROAD_PAL)
        lane = pick(rng, [(230, 230, 225), (225, 200, 60)], 0.08)
        XC = rng.uniform(XL + 1.5, XR - 1.5)
        rails = rng.random() < 0.25
        Xrail = rng.uniform(XL + 1.5, XR - 2.0)

        def road_pat(col, ys, xs, m):
            zz = np.broadcast_to(zg[ys], m.shape)
            XX = Xg[ys, xs]
            mark = (np.abs(XX - XC) < 0.08) & (np.mod(zz, 9.0) < 3.5)
            if rails:
                mark2 = (np.abs(XX - Xrail) < 0.05) | (
                    np.abs(XX - Xrail - 1.43) < 0.05)
                col = np.where(mark2[..., None], col * 0.55, col)
            return np.where(mark[..., None], lane, col)

        self._paint(
            'road',
            self._ground_triangle(XL, XR),
            road_col,
            fine=0.06,
            coarse=0.1,
            pattern=road_pat)
        return rails, Xrail

    def _paint_sidewalks(self, rng, street):
        """Both sidewalks (kerb to building line), one colour and tile size
        for the street: tile grid in ground coordinates, lighter kerb."""
        XL, XR = street.XL, street.XR
        zg, Xg = self._zg, self._Xg
        sw_col = pick(rng, SIDEWALK_PAL)
        tile = rng.uniform(0.5, 1.2)

        def sw_pat(col, ys, xs, m):
            zz = np.broadcast_to(zg[ys], m.shape)
            XX = Xg[ys, xs]
            grid = (np.mod(zz, tile) < 0.06 * tile + 0.02) | (
                np.mod(XX, tile) < 0.06 * tile)
            kerb = (np.abs(XX - XL) < 0.2) | (np.abs(XX - XR) < 0.2)
            col = np.where(grid[..., None], col * 0.8, col)
            return np.where(kerb[..., None], col * 1.15, col)

        for a, b in ((street.XoL, XL), (XR, street.XoR)):
            self._paint(
                'sidewalk',
                self._ground_triangle(a, b),
                sw_col,
                fine=0.05,
                coarse=0.1,
                pattern=sw_pat)

    def _paint_barriers(self, rng, street):
        """A wall or fence along the building line of some sides (80 % of
        parks, 25 % of facade rows), over a random stretch of depth."""
        for s, (Xo, sgn) in street.sides.items():
            if rng.random() < (0.8 if street.kinds[s] == 'park' else 0.25):
                za = rng.uniform(1.5, 20)
                zb = za + rng.uniform(10, 80)
                self._barrier(rng, 'fence' if rng.random() < 0.55 else 'wall',
                              Xo, za, zb)

    def _paint_ground_objects(self, rng, street, rails):
        """Everything standing on the ground, placed by its context (poles
        on the kerb, pedestrians on sidewalks, vehicles on the road, ...),
        then painted far to near so nearer objects occlude farther ones."""
        objs = []
        objs += self._place_poles(rng, street)
        objs += self._place_street_trees(rng, street)
        objs += self._place_pedestrians(rng, street)
        objs += self._place_road_vehicles(rng, street, rails)
        objs += self._place_riders(rng, street)
        objs += self._place_parked_two_wheelers(rng, street)
        objs += self._place_clutter(rng, street)
        for z, kind, X, sgn in sorted(objs, key=lambda t: -t[0]):
            self._object(rng, kind, X, z, sgn)

    # Each _place_* returns (depth z, kind, lateral X, kerb side sgn) tuples.
    @staticmethod
    def _sidewalk_x(rng, street, margin):
        """A lateral position on the left or right sidewalk, ``margin`` m
        from its kerb and building line."""
        return (rng.uniform(street.XoL + margin, street.XL - margin)
                if rng.random() < 0.5 else
                rng.uniform(street.XR + margin, street.XoR - margin))

    @staticmethod
    def _place_poles(rng, street):
        """2-6 poles just outside a kerb (``sgn``: which kerb, so that a
        traffic-light arm reaches over the road)."""
        objs = []
        for _ in range(int(rng.integers(2, 7))):
            sgn = rng.choice([-1, 1])
            X = street.XL - rng.uniform(0.3, 0.8) if sgn < 0 else \
                street.XR + rng.uniform(0.3, 0.8)
            objs.append((rng.uniform(4, 70), 'pole', X, sgn))
        return objs

    @staticmethod
    def _place_street_trees(rng, street):
        """In half of the scenes, 1-4 trees along a building line."""
        objs = []
        if rng.random() < 0.5:
            for _ in range(int(rng.integers(1, 5))):
                X = street.XoL + 0.8 if rng.random() < 0.5 else \
                    street.XoR - 0.8
                objs.append((rng.uniform(4, 60), 'tree', X, 0))
        return objs

    def _place_pedestrians(self, rng, street):
        """0-5 persons, mostly on a sidewalk, one in five crossing the
        road."""
        objs = []
        for _ in range(int(rng.integers(0, 6))):
            if rng.random() < 0.8:
                X = self._sidewalk_x(rng, street, 0.3)
            else:
                X = rng.uniform(street.XL, street.XR)
            objs.append((rng.uniform(3, 50), 'person', X, 0))
        return objs

    @staticmethod
    def _place_road_vehicles(rng, street, rails):
        """1-6 cars, and maybe a truck, a bus and a train on the road; the
        train runs on the tram rails when there are rails."""
        XL, XR = street.XL, street.XR
        has_rails, Xrail = rails
        objs = []
        for _ in range(int(rng.integers(1, 7))):
            objs.append(
                (rng.uniform(4, 80), 'car', rng.uniform(XL + 1.0,
                                                        XR - 1.0), 0))
        for cls, p in (('truck', 0.35), ('bus', 0.3), ('train', 0.15)):
            if rng.random() < p:
                X = (
                    Xrail + 0.7 if cls == 'train' and has_rails else
                    rng.uniform(XL + 1.4, XR - 1.4))
                objs.append((rng.uniform(8, 70), cls, X, 0))
        return objs

    @staticmethod
    def _place_riders(rng, street):
        """0-2 riders (on a bicycle or motorcycle) on the road."""
        objs = []
        for _ in range(int(rng.integers(0, 3))):
            objs.append(
                (rng.uniform(4, 50), 'rider',
                 rng.uniform(street.XL + 0.5, street.XR - 0.5), 0))
        return objs

    def _place_parked_two_wheelers(self, rng, street):
        """Maybe a parked bicycle and a parked motorcycle on a sidewalk
        (without a rider: they must not all come with one)."""
        objs = []
        for cls, p in (('bicycle', 0.45), ('motorcycle', 0.3)):
            if rng.random() < p:
                X = self._sidewalk_x(rng, street, 0.3)
                objs.append((rng.uniform(4, 40), cls, X, 0))
        return objs

    def _place_clutter(self, rng, street):
        """0-2 boxes / bins on a sidewalk, labeled 'static' / 'dynamic'
        (ignored, train id 255, as in Cityscapes)."""
        objs = []
        for _ in range(int(rng.integers(0, 3))):
            X = self._sidewalk_x(rng, street, 0.2)
            objs.append((rng.uniform(3, 40),
                         'static' if rng.random() < 0.6 else 'dynamic', X, 0))
        return objs

    def _paint_ego_vehicle(self, rng):
        """In half of the images, the ego-vehicle's bonnet along the bottom
        edge (a parabola; 'ego vehicle', ignored), as in Cityscapes."""
        w, h = self.w, self.h
        if rng.random() < 0.5:
            top_y = h * rng.uniform(0.9, 0.96)
            xs_ = np.linspace(-0.05 * w, 1.05 * w, 24)
            ys_ = top_y + (h - top_y) * 0.8 * ((xs_ - w / 2) / (0.55 * w))**2
            pts = np.concatenate([
                np.stack([xs_, ys_], 1), [[1.05 * w, h + 2],
                                          [-0.05 * w, h + 2]]
            ])
            self._paint(
                'ego vehicle', [poly(pts)],
                pick(rng, CAR_PAL, 0.1),
                fine=0.02,
                coarse=0.2)

    # ------------------------------------------------------ scene elements
    def _building_front(self, rng, X0, X1, height, z):
        p = [
            self._proj(X0, 0, z),
            self._proj(X1, 0, z),
            self._proj(X1, height, z),
            self._proj(X0, height, z)
        ]
        return [poly(p)]

    def _window_pattern(self, rng, kind, plane):
        """Window grid in a facade's own plane (perspective-correct)."""
        pz, py = rng.uniform(2.5, 5.0), rng.uniform(2.8, 3.6)
        fz, fy = rng.uniform(0.3, 0.6), rng.uniform(0.35, 0.6)
        ph = rng.uniform(0, 1)
        win = pick(rng, [(35, 40, 55), (80, 95, 115), (150, 165, 180),
                         (60, 55, 50)])
        shop = rng.random() < 0.5

        def pat(col, ys, xs, m):
            y = np.arange(ys.start, ys.stop, dtype=np.float64)[:, None] + 0.5
            x = np.arange(xs.start, xs.stop, dtype=np.float64)[None, :] + 0.5
            if kind == 'side':
                dx = x - self.xv
                dx = np.where(np.abs(dx) < 1e-3, 1e-3, dx)
                z = np.clip(self.f * plane / dx, 0.1, 1e4)
                u = z
            else:
                z = plane
                u = (x - self.xv) * z / self.f
            Y = CAM_H - (y - self.yh) * z / self.f
            a = np.mod(u / pz + ph, 1.0) < fz
            b = (np.mod(Y / py, 1.0) > 0.3) & (np.mod(Y / py, 1.0) < 0.3 + fy)
            wmask = a & b & (Y > (0.3 if shop else py))
            return np.where(wmask[..., None], win, col)

        return pat

    def _barrier(self, rng, kind, X, za, zb):
        hgt = rng.uniform(1.0, 2.0) if kind == 'fence' else rng.uniform(
            0.6, 2.5)
        quad = [
            self._proj(X, 0, za),
            self._proj(X, 0, zb),
            self._proj(X, hgt, zb),
            self._proj(X, hgt, za)
        ]
        col = pick(rng, GREYS + [(120, 90, 60), (90, 110, 90)])
        gap = rng.uniform(0.12, 0.3)

        def fence_pat(c, ys, xs, m):
            x = np.arange(xs.start, xs.stop, dtype=np.float64)[None, :] + 0.5
            dx = x - self.xv
            dx = np.where(np.abs(dx) < 1e-3, 1e-3, dx)
            z = np.clip(self.f * X / dx, 0.1, 1e4)
            bars = np.broadcast_to(np.mod(z, gap * 2) < gap, m.shape)
            return np.where(bars[..., None], c, c * 0.45)

        self._paint(
            kind, [poly(quad)],
            col,
            pattern=fence_pat if kind == 'fence' else None,
            fine=0.06,
            coarse=0.12,
            medium=0.1 if kind == 'wall' else 0.0)

    def _veg(self, rng, kind, X, z):
        if kind == 'tree':
            parts = _tree(rng, rng.uniform(1.5, 4.0), rng.uniform(1.2, 3.2))
        else:
            parts = _bush(rng, rng.uniform(0.6, 1.5))
        self._paint(
            'vegetation',
            self._place_ground(parts, X, z),
            pick(rng, VEG_PAL),
            fine=0.22,
            coarse=0.12,
            medium=0.18)

    def _object(self, rng, kind, X, z, sgn):
        """Paint one ground object of ``kind`` at lateral ``X``, depth ``z``
        (``sgn``: the kerb side of a pole). Whether a vehicle is seen from
        the side and whether it is mirrored are drawn first, for every
        kind, so the draws stay in a fixed order."""
        side = rng.random() < 0.4
        flip = rng.random() < 0.5
        if kind in ('tree', 'bush'):
            self._veg(rng, kind, X, z)
        elif kind == 'pole':
            self._pole_object(rng, X, z, sgn)
        elif kind == 'person':
            self._paint(
                'person',
                self._place_ground(_person(rng), X, z),
                np.zeros(3),
                fine=0.05)
        elif kind == 'car':
            parts = _car_side(rng) if side else _car_rear(rng)
            self._paint(
                'car',
                self._place_ground(parts, X, z, flip),
                pick(rng, CAR_PAL),
                fine=0.04,
                coarse=0.1)
        elif kind in ('truck', 'bus', 'train'):
            self._large_vehicle(rng, kind, X, z, side, flip)
        elif kind in ('bicycle', 'motorcycle', 'rider'):
            self._two_wheeler(rng, kind, X, z, side, flip)
        elif kind in ('static', 'dynamic'):
            self._clutter(rng, kind, X, z)

    def _pole_object(self, rng, X, z, sgn):
        """A 3-7 m pole; 45 % carry a traffic sign below the top, 40 % a
        traffic light, of which three in four hang on an arm over the road
        (towards ``-sgn``)."""
        ph = rng.uniform(3.0, 7.0)
        top = rng.random()
        arm = 0.0
        if top > 0.7:  # traffic light over the road on an arm
            arm = -sgn * rng.uniform(1.5, 4.0)
        pole = [
            replace(p, width=max(p.width, self.min_thin_px))
            for p in self._place_ground(_pole(rng, ph, arm), X, z)
        ]
        self._paint(
            'pole', pole, pick(rng, GREYS[:4] + [(60, 80, 60)]), fine=0.03)
        if top < 0.45:
            sx, sy = self._proj(X, ph - rng.uniform(0.2, 1.2), z)
            sign = _sign(rng)
            self._paint(
                'traffic sign',
                place(sign, sx, sy, self._thin_scale(sign, z)),
                np.zeros(3),
                fine=0.03)
        elif top > 0.6:
            lx, ly = self._proj(X + arm, ph - 0.6, z)
            light = _traffic_light(rng)
            self._paint(
                'traffic light',
                place(light, lx, ly, self._thin_scale(light, z)),
                np.zeros(3),
                fine=0.03)

    def _thin_scale(self, parts, z):
        """Pixels per metre of a small object at depth ``z``: the camera's,
        raised so that the object's smaller side is at least
        ``min_thin_px`` pixels (its parts' local frame is centred on 0)."""
        pts = np.concatenate([p.pts for p in parts])
        side = float((pts.max(0) - pts.min(0)).min())
        return max(self._ppm(z), self.min_thin_px / max(side, 1e-6))

    def _large_vehicle(self, rng, kind, X, z, side, flip):
        """A truck, bus or train (tram), from behind or from the side; the
        truck in car colours, bus and train in their own palette."""
        maker = dict(truck=_truck, bus=_bus, train=_train)[kind]
        pal = CAR_PAL if kind == 'truck' else BUS_PAL
        self._paint(
            kind,
            self._place_ground(maker(rng, side), X, z, flip),
            pick(rng, pal),
            fine=0.04,
            coarse=0.1)

    def _two_wheeler(self, rng, kind, X, z, side, flip):
        """A bicycle or motorcycle, parked or (``kind == 'rider'``) with a
        rider: the vehicle keeps its own class, the person on it is
        'rider' (seated from the side, raised by the saddle from behind)."""
        vehicle = kind
        if kind == 'rider':
            vehicle = 'bicycle' if rng.random() < 0.65 else 'motorcycle'
            side = rng.random() < 0.7
        maker = _bicycle if vehicle == 'bicycle' else _motorcycle
        self._paint(
            vehicle,
            self._place_ground(maker(rng, side), X, z, flip),
            np.zeros(3),
            fine=0.04)
        if kind == 'rider':
            if side:  # seated, feet on the pedals
                parts = _person(rng, riding=True)
            else:  # seen from behind, raised by the saddle height
                parts = [shift(p, 0.0, 0.45) for p in _person(rng)]
            self._paint(
                'rider',
                self._place_ground(parts, X, z, flip),
                np.zeros(3),
                fine=0.05)

    def _clutter(self, rng, kind, X, z):
        """An ignored object: a box ('static') or a bin on wheels
        ('dynamic')."""
        c = pick(rng, GREYS + [(40, 90, 50), (150, 85, 65), (40, 60, 140)])
        if kind == 'static':
            bw_, bh_ = rng.uniform(0.4, 1.2), rng.uniform(0.4, 1.3)
            parts = [rect(-bw_ / 2, 0, bw_ / 2, bh_)]
        else:
            parts = [
                round_rect(-0.3, 0.05, 0.3, 1.0, 0.06),
                rect(-0.34, 1.0, 0.34, 1.1, tone=0.7),
                circle(-0.2, 0.08, 0.08, color=DARK),
                circle(0.2, 0.08, 0.08, color=DARK)
            ]
        self._paint(kind, self._place_ground(parts, X, z), c, fine=0.05)


# -------------------------------------------------------------------- writer
def _names(split: str, num: int, num_cities: int) -> List[tuple]:
    """(city, stem) of every image of a split, cities in contiguous blocks."""
    pool = SPLIT_CITIES[split]
    cities = [
        pool[i] if i < len(pool) else f'{split}city{i}'
        for i in range(num_cities)
    ]
    out, seq = [], {}
    for i in range(num):
        city = cities[i * num_cities // max(num, 1)]
        k = seq.get(city, 0)
        seq[city] = k + 1
        out.append((city, f'{city}_{k:06d}_000019'))
    return out


def hue_wheel_colors(num: int = 19, step: int = 8,
                     value: float = 0.55) -> np.ndarray:
    """``num`` fully saturated colours evenly spaced in hue, class ``i`` at
    hue ``(step * i mod num) / num`` of the wheel, HSV value ``value``.

    Every two classes differ in hue by at least ``360 / num`` degrees, and
    neighbouring train ids (the classes that look alike: person / rider,
    the vehicles, vegetation / terrain) by ``step * 360 / num`` (152 for
    19 classes). Brightness and contrast changes keep a hue (desaturation,
    inversion and solarization do not); ``value`` 0.55 leaves room below
    255 for the strong views' brightness factors up to 1.9 after the
    half-way blend of :func:`tint_classes`.
    """
    rgb = [colorsys.hsv_to_rgb((step * i % num) / num, 1.0, value)
           for i in range(num)]
    return np.round(np.array(rgb, np.float32) * 255)


# The colours ``class_tint`` pulls each class towards: one hue per class
# (:func:`hue_wheel_colors`). Not Cityscapes' label colours, which the
# first tinted data used: those tell car, truck, bus and motorcycle (dark
# to light blue), person and rider (reds) and vegetation and terrain
# (greens) apart by brightness alone, so the papers' photometric strong
# augmentations (brightness, contrast, colour, posterize, solarize), which
# keep the class of a real street pixel, turned one class into another
# here (measured: Dense FixMatch's strong view with the geometric
# operations only kept terrain and rider, +25 and +27 IoU;
# docs/cpu_benchmark.md). Hues fix the brightness part only: the strong
# views' desaturation, inversion and solarization still move a hue (with
# these colours the geometric-only ablation still keeps terrain and person
# that Dense FixMatch loses, docs/cpu_benchmark.md).
TINT_COLORS = hue_wheel_colors()
# what the generator's stamp records, so data tinted with another palette
# is made again
TINT_PALETTE = 'hue-wheel-19-step8-v0.55'


def tint_classes(img: np.ndarray, train_ids: np.ndarray,
                 strength: float) -> np.ndarray:
    """Blend each labeled pixel towards its class's colour
    (:data:`TINT_COLORS`) by ``strength`` (0: unchanged, 1: that colour):
    an easier task where hue tells the class apart (real images do not);
    ignored pixels (255) are unchanged. Texture and shading stay (the
    blend keeps ``1 - strength`` of the rendered pixel)."""
    if strength <= 0:
        return img
    out = img.astype(np.float32)
    valid = train_ids < len(TINT_COLORS)
    out[valid] = ((1 - strength) * out[valid] +
                  strength * TINT_COLORS[train_ids[valid]])
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def generate_cityscapes(out_dir: str,
                        seed: int = 0,
                        num_train: int = 48,
                        num_val: int = 24,
                        num_extra: int = 96,
                        size=(256, 128),
                        num_cities: int = 3,
                        class_tint: float = 0.0,
                        class_texture: float = 0.0,
                        min_thin_px: float = 0.0) -> Dict[str, int]:
    """Write a synthetic Cityscapes tree under ``out_dir`` (the
    ``cityscapes`` folder itself). Returns the number of images per split.

    Image ``i`` of a split depends only on ``(seed, split, i)`` and the size,
    so same arguments give byte-identical files. ``class_tint`` > 0 blends
    every labeled pixel towards its class colour (:func:`tint_classes`: the
    CPU benchmark's easier data, docs/cpu_benchmark.md), then
    ``class_texture`` > 0 adds that many grey levels of its class's pattern
    (:func:`~mmssl.datasets.synthetic.class_texture.texture_classes`: a cue
    the strong views' photometric operations keep); the scenes and labels
    are the same as without them. ``min_thin_px`` > 0 draws poles, traffic
    lights and signs at least that many pixels across
    (:class:`CityscapesSceneGenerator`), the rest of each scene unchanged.
    """
    if not 0.0 <= class_tint <= 1.0:
        raise ValueError(f'class_tint must be in [0, 1], got {class_tint}')
    if not 0.0 <= class_texture <= 127.0:
        raise ValueError(
            f'class_texture must be in [0, 127] grey levels, got '
            f'{class_texture}')
    if not 0.0 <= min_thin_px <= 16.0:
        raise ValueError(
            f'min_thin_px must be in [0, 16] pixels, got {min_thin_px}')
    gen = CityscapesSceneGenerator(*size, min_thin_px=min_thin_px)
    counts = dict(train=num_train, val=num_val, train_extra=num_extra)
    for split, num in counts.items():
        for i, (city, stem) in enumerate(_names(split, num, num_cities)):
            rng = image_rng(seed, _DATASET_CODE, _SPLIT_CODE[split], i)
            s = gen.sample(rng)
            s.img = tint_classes(s.img, s.train_ids, class_tint)
            s.img = texture_classes(s.img, s.train_ids, class_texture)
            write_png(
                osp.join(out_dir, 'leftImg8bit', split, city,
                         f'{stem}_leftImg8bit.png'), s.img)
            if split == 'train_extra':
                continue
            base = osp.join(out_dir, 'gtFine', split, city, f'{stem}_gtFine_')
            write_png(base + 'labelTrainIds.png', s.train_ids)
            write_png(base + 'labelIds.png', s.label_ids)
            write_png(base + 'instanceIds.png', s.instance_ids)
            write_json(
                base + 'polygons.json',
                dict(
                    imgHeight=int(gen.h),
                    imgWidth=int(gen.w),
                    objects=s.objects))
    return counts

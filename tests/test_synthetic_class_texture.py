"""The CPU benchmark's second class cue: ``class_texture`` adds a per-class
grey-level pattern, whose kind the strong views' photometric operations
keep (the tint's hue they do not)."""
import json
import os.path as osp

import numpy as np
import pytest
from mmdet.datasets.transforms import (AutoContrast, Brightness, Color,
                                       Contrast, Equalize, Invert, Posterize,
                                       Sharpness, Solarize)

from mmssl.datasets.synthetic import generate as gen
from mmssl.datasets.synthetic.class_texture import (CLASS_KINDS, KINDS,
                                                    PERIOD,
                                                    texture_classes,
                                                    texture_kind,
                                                    texture_patterns)
from mmssl.datasets.synthetic.cityscapes import (CLASSES,
                                                 CityscapesSceneGenerator,
                                                 tint_classes)
from mmssl.datasets.synthetic.common import image_rng
from mmssl.datasets.synthetic.generate import generate_dataset

from test_synthetic_class_tint import read


@pytest.fixture
def plain_and_textured(class_cue_roots):
    return class_cue_roots['plain'], class_cue_roots['textured']


def test_texture_adds_the_class_pattern_after_the_tint(plain_and_textured):
    plain, textured = plain_and_textured
    pats = texture_patterns(32, 64)
    for img, timg, ids, tids in zip(read(plain, 'img'),
                                    read(textured, 'img'),
                                    read(plain, 'ids'),
                                    read(textured, 'ids')):
        np.testing.assert_array_equal(ids, tids)  # same scenes and labels
        expect = tint_classes(img, ids, 0.5).astype(np.float64)
        for y, x in zip(*np.nonzero(ids < 19)):
            k = KINDS.index(texture_kind(ids[y, x]))
            expect[y, x] += 32 * pats[k, y, x]
        np.testing.assert_array_equal(
            timg, np.clip(np.round(expect), 0, 255).astype(np.uint8))
        ignored = ids == 255
        np.testing.assert_array_equal(timg[ignored],
                                      tint_classes(img, ids, 0.5)[ignored])


def test_stamp_records_the_texture_code_and_remakes_on_change(
        plain_and_textured, tmp_path, monkeypatch):
    plain, textured = plain_and_textured
    with open(osp.join(plain, '.mmssl_synthetic.json')) as f:
        args = json.load(f)['args']
    assert 'class_texture' not in args and 'texture_code' not in args
    with open(osp.join(textured, '.mmssl_synthetic.json')) as f:
        args = json.load(f)['args']
    assert args['class_texture'] == 32
    assert args['texture_code'] == gen.TEXTURE_CODE
    kw = dict(seed=3, num_train=1, num_val=0, num_extra=0, size=(32, 16),
              num_cities=1, class_texture=16)
    assert not generate_dataset(str(tmp_path), 'cityscapes', **kw)['skipped']
    assert generate_dataset(str(tmp_path), 'cityscapes', **kw)['skipped']
    monkeypatch.setattr(gen, 'TEXTURE_CODE', 'another')
    assert not generate_dataset(str(tmp_path), 'cityscapes', **kw)['skipped']
    with pytest.raises(ValueError, match='class_texture'):
        generate_dataset(str(tmp_path / 'bad'), 'cityscapes', num_train=1,
                         num_val=0, num_extra=0, size=(32, 16),
                         class_texture=200)


# classes that touch or look alike in a street scene (class_texture.py)
LOOK_ALIKES = [('road', 'sidewalk', 'terrain'),
               ('building', 'wall', 'fence'),
               ('pole', 'traffic light', 'traffic sign', 'sky'),
               ('vegetation', 'terrain'), ('person', 'rider'),
               ('rider', 'motorcycle', 'bicycle'), ('car', 'truck', 'bus'),
               ('bus', 'train'), ('sidewalk', 'wall'),
               ('fence', 'vegetation')]


def test_look_alikes_get_different_kinds():
    ids = {c: i for i, c in enumerate(CLASSES)}
    for group in LOOK_ALIKES:
        kinds = [texture_kind(ids[c]) for c in group]
        assert len(set(kinds)) == len(group), (group, kinds)
    assert set(CLASS_KINDS) == set(KINDS) and len(CLASS_KINDS) == 19


def _kind_of(patch):
    """The pattern kind whose phase-shifted copy correlates best with the
    patch's luminance (flat below one grey level of spread)."""
    lum = patch.astype(np.float64).mean(-1)
    lum -= lum.mean()
    if lum.std() < 1:
        return 'flat'
    n = lum.shape[0]
    pats = texture_patterns(n + PERIOD, n + PERIOD)
    best, kind = -1, None
    for k in range(1, len(KINDS)):
        for dy in range(PERIOD):
            for dx in range(PERIOD):
                p = pats[k, dy:dy + n, dx:dx + n]
                p = p - p.mean()
                c = abs((p * lum).sum()) / np.sqrt((p * p).sum() *
                                                   (lum * lum).sum())
                if c > best:
                    best, kind = c, KINDS[k]
    return kind


# the strong views' photometric operations (semi_views_common.py) at the
# ends of their magnitude ranges
OPS = [AutoContrast(), Equalize(), Invert(),
       Solarize(min_mag=25.6, max_mag=25.6),
       Posterize(min_mag=3.0, max_mag=3.0)]
OPS += [t(min_mag=m, max_mag=m) for t in (Color, Contrast, Brightness,
                                          Sharpness) for m in (0.1, 1.9)]


@pytest.mark.parametrize('op', OPS, ids=lambda o: repr(o)[:40])
def test_every_class_keeps_its_kind_under_the_photometric_ops(op):
    n = 24
    for c in range(19):
        ids = np.full((n, n), c, np.uint8)
        base = np.full((n, n, 3), 128, np.uint8)
        img = texture_classes(tint_classes(base, ids, 0.5), ids, 32)
        out = op(dict(img=img.copy(), img_shape=(n, n)))['img']
        assert _kind_of(out) == texture_kind(c), (c, op)


THIN = ('pole', 'traffic light', 'traffic sign')


def _thin_silhouettes(min_thin_px, n=12):
    """The scenes of ``n`` images and the full silhouette (pre-occlusion,
    inside the image) of every pole, traffic light and sign painted."""
    g = CityscapesSceneGenerator(256, 128, min_thin_px=min_thin_px)
    shapes, paint = [], g._paint

    def record(name, parts, color, **kw):
        out = paint(name, parts, color, **kw)
        if out is not None and name in THIN:
            shapes.append((name, out))
        return out

    g._paint = record
    return [g.sample(image_rng(0, 1, 0, i)) for i in range(n)], shapes


def _smaller_side(name, out):
    """A pole's median row width; a light's or sign's smaller bbox side
    (None when the image border cuts it)."""
    mask, x0, y0 = out
    if name == 'pole':
        rows = mask.sum(1)
        return float(np.median(rows[rows > 0]))
    ys, xs = np.nonzero(mask)
    if x0 == 0 or y0 == 0 or x0 + mask.shape[1] >= 256 or \
            y0 + mask.shape[0] >= 128:
        return None
    return min(np.ptp(xs) + 1, np.ptp(ys) + 1)


def test_min_thin_px_draws_thin_objects_wider_and_nothing_else():
    plain, plain_shapes = _thin_silhouettes(0)
    wide, wide_shapes = _thin_silhouettes(4)
    assert [n for n, _ in plain_shapes] == [n for n, _ in wide_shapes]
    sides = [_smaller_side(*s) for s in wide_shapes]
    assert len([s for s in sides if s is not None]) > 20
    assert min(s for s in sides if s is not None) >= 4
    # the true sizes are thinner: the option changes something
    plain_sides = [_smaller_side(*s) for s in plain_shapes]
    assert min(s for s in plain_sides if s is not None) <= 2
    thin_ids = [CLASSES.index(c) for c in THIN]
    for a, b in zip(plain, wide):
        # the rest of the scene is the same: labels differ only where
        # either scene has a thin object, and no draw moved
        changed = a.train_ids != b.train_ids
        either = (np.isin(a.train_ids, thin_ids) |
                  np.isin(b.train_ids, thin_ids))
        assert not (changed & ~either).any()
        assert (np.isin(b.train_ids, thin_ids).sum() >=
                np.isin(a.train_ids, thin_ids).sum())


def test_min_thin_px_is_stamped_and_checked(class_cue_roots, tmp_path):
    with open(osp.join(class_cue_roots['textured'],
                       '.mmssl_synthetic.json')) as f:
        assert 'min_thin_px' not in json.load(f)['args']
    kw = dict(seed=3, num_train=1, num_val=0, num_extra=0, size=(32, 16),
              num_cities=1)
    generate_dataset(str(tmp_path), 'cityscapes', min_thin_px=4, **kw)
    with open(osp.join(tmp_path, 'cityscapes', '.mmssl_synthetic.json')) as f:
        assert json.load(f)['args']['min_thin_px'] == 4
    with pytest.raises(ValueError, match='min_thin_px'):
        generate_dataset(str(tmp_path / 'bad'), 'cityscapes', min_thin_px=-1,
                         **kw)

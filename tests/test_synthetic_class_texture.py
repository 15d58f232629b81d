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
from mmssl.datasets.synthetic.class_texture import (KINDS, PERIOD,
                                                    texture_classes,
                                                    texture_kind,
                                                    texture_patterns)
from mmssl.datasets.synthetic.cityscapes import tint_classes
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
            expect[y, x] += 32 * pats[ids[y, x] % 5, y, x]
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


def test_look_alike_neighbours_get_different_kinds():
    for i in range(18):
        assert texture_kind(i) != texture_kind(i + 1)
    # vegetation / terrain, person / rider, car / truck / bus
    assert len({texture_kind(8), texture_kind(9)}) == 2
    assert len({texture_kind(i) for i in (13, 14, 15)}) == 3


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

"""The CPU benchmark's easier generated data: ``class_tint`` blends each
labeled pixel towards its class colour and changes nothing else; the
colours differ in hue, which the strong views' photometric operations
keep."""
import colorsys
import json
import os.path as osp

import numpy as np
import pytest
from PIL import Image, ImageEnhance

from mmssl.datasets.synthetic import generate as gen
from mmssl.datasets.synthetic.cityscapes import TINT_COLORS, tint_classes
from mmssl.datasets.synthetic.generate import generate_dataset


def read(root, kind):
    import glob
    pat = dict(img='leftImg8bit/train/*/*_leftImg8bit.png',
               ids='gtFine/train/*/*_labelTrainIds.png')[kind]
    return [np.array(Image.open(f)) for f in sorted(
        glob.glob(osp.join(root, pat)))]


@pytest.fixture
def plain_and_tinted(class_cue_roots):
    return class_cue_roots['plain'], class_cue_roots['tinted']


def test_tint_blends_labeled_pixels_towards_the_class_colour(
        plain_and_tinted):
    plain, tinted = plain_and_tinted
    for img, timg, ids, tids in zip(read(plain, 'img'), read(tinted, 'img'),
                                    read(plain, 'ids'), read(tinted, 'ids')):
        np.testing.assert_array_equal(ids, tids)  # same scenes and labels
        valid = ids < 19
        expect = img.astype(np.float64)
        expect[valid] = 0.5 * expect[valid] + 0.5 * TINT_COLORS[ids[valid]]
        np.testing.assert_array_equal(timg, np.round(expect).astype(np.uint8))
        assert (timg[valid] != img[valid]).any()


def test_no_tint_keeps_the_stamp_and_bytes(plain_and_tinted, tmp_path):
    plain, tinted = plain_and_tinted
    with open(osp.join(plain, '.mmssl_synthetic.json')) as f:
        assert 'class_tint' not in json.load(f)['args']
    with open(osp.join(tinted, '.mmssl_synthetic.json')) as f:
        args = json.load(f)['args']
    assert args['class_tint'] == 0.5
    assert args['tint_palette'] == gen.TINT_PALETTE
    img = read(plain, 'img')[0]
    ids = read(plain, 'ids')[0]
    np.testing.assert_array_equal(tint_classes(img, ids, 0.0), img)


def test_bad_strength_is_refused(tmp_path):
    with pytest.raises(ValueError, match='class_tint'):
        generate_dataset(str(tmp_path), 'cityscapes', num_train=1,
                         num_val=0, num_extra=0, size=(32, 16),
                         class_tint=1.5)


def _hue(rgb):
    return 360 * colorsys.rgb_to_hsv(*(np.asarray(rgb, float) / 255))[0]


def _hue_gap(a, b):
    return abs((a - b + 180) % 360 - 180)


# Cityscapes' label colours (cityscapesscripts labels.py) of the first
# tinted data, per train id
CITYSCAPES_COLORS = [
    (128, 64, 128), (244, 35, 232), (70, 70, 70), (102, 102, 156),
    (190, 153, 153), (153, 153, 153), (250, 170, 30), (220, 220, 0),
    (107, 142, 35), (152, 251, 152), (70, 130, 180), (220, 20, 60),
    (255, 0, 0), (0, 0, 142), (0, 0, 70), (0, 60, 100), (0, 80, 100),
    (0, 0, 230), (119, 11, 32)]


def _nearest_class_after_brightness(colors, factor, render=128):
    """For each class: the class whose tint hue is nearest to its tinted
    grey pixel after PIL's brightness change (mmdet's ``Brightness``)."""
    colors = np.asarray(colors, np.float64)
    hues = [_hue(c) for c in colors]
    px = np.round(0.5 * render + 0.5 * colors).astype(np.uint8)
    out = np.asarray(ImageEnhance.Brightness(
        Image.fromarray(px[None])).enhance(factor))[0]
    return [int(np.argmin([_hue_gap(_hue(o), h) for h in hues]))
            for o in out]


def test_tint_colours_differ_in_hue_and_keep_it_under_brightness():
    hues = [_hue(c) for c in TINT_COLORS]
    gaps = [_hue_gap(a, b) for i, a in enumerate(hues) for b in hues[i + 1:]]
    assert min(gaps) >= 360 / 19 - 0.5
    # the classes that look alike sit next to each other in train ids
    # (person / rider, the vehicles, vegetation / terrain): far apart
    for i in range(18):
        assert _hue_gap(hues[i], hues[i + 1]) >= 150
    assert TINT_COLORS.max() <= 141  # room for brightness 1.9 after a blend
    for factor in (0.3, 0.6, 1.4, 1.9):
        assert _nearest_class_after_brightness(TINT_COLORS, factor) == list(
            range(19)), factor
    # Cityscapes' label colours, tinted before, tell person from rider by
    # a 12-degree hue difference and car / truck / motorcycle by brightness
    # (one hue)
    cs = [_hue(c) for c in CITYSCAPES_COLORS]
    assert _hue_gap(cs[11], cs[12]) < 13
    assert _hue_gap(cs[13], cs[14]) < 1 and _hue_gap(cs[13], cs[17]) < 1


def test_data_tinted_with_another_palette_is_made_again(tmp_path,
                                                        monkeypatch):
    kw = dict(seed=3, num_train=1, num_val=0, num_extra=0, size=(32, 16),
              num_cities=1, class_tint=0.5)
    assert not generate_dataset(str(tmp_path), 'cityscapes', **kw)['skipped']
    assert generate_dataset(str(tmp_path), 'cityscapes', **kw)['skipped']
    monkeypatch.setattr(gen, 'TINT_PALETTE', 'another')
    assert not generate_dataset(str(tmp_path), 'cityscapes', **kw)['skipped']

"""The CPU benchmark's easier generated data: ``class_tint`` blends each
labeled pixel towards its class colour and changes nothing else."""
import json
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from mmssl.datasets.synthetic.cityscapes import CLASS_COLORS, tint_classes
from mmssl.datasets.synthetic.generate import generate_dataset


def read(root, kind):
    import glob
    pat = dict(img='leftImg8bit/train/*/*_leftImg8bit.png',
               ids='gtFine/train/*/*_labelTrainIds.png')[kind]
    return [np.array(Image.open(f)) for f in sorted(
        glob.glob(osp.join(root, pat)))]


@pytest.fixture(scope='module')
def plain_and_tinted(tmp_path_factory):
    d = tmp_path_factory.mktemp('tint')
    kw = dict(seed=3, num_train=2, num_val=0, num_extra=0, size=(64, 32),
              num_cities=1)
    plain = generate_dataset(str(d / 'plain'), 'cityscapes', **kw)['root']
    tinted = generate_dataset(str(d / 'tinted'), 'cityscapes',
                              class_tint=0.5, **kw)['root']
    return plain, tinted


def test_tint_blends_labeled_pixels_towards_the_class_colour(
        plain_and_tinted):
    plain, tinted = plain_and_tinted
    for img, timg, ids, tids in zip(read(plain, 'img'), read(tinted, 'img'),
                                    read(plain, 'ids'), read(tinted, 'ids')):
        np.testing.assert_array_equal(ids, tids)  # same scenes and labels
        valid = ids < 19
        expect = img.astype(np.float64)
        expect[valid] = 0.5 * expect[valid] + 0.5 * CLASS_COLORS[ids[valid]]
        np.testing.assert_array_equal(timg, np.round(expect).astype(np.uint8))
        assert (timg[valid] != img[valid]).any()


def test_no_tint_keeps_the_stamp_and_bytes(plain_and_tinted, tmp_path):
    plain, tinted = plain_and_tinted
    with open(osp.join(plain, '.mmssl_synthetic.json')) as f:
        assert 'class_tint' not in json.load(f)['args']
    with open(osp.join(tinted, '.mmssl_synthetic.json')) as f:
        assert json.load(f)['args']['class_tint'] == 0.5
    img = read(plain, 'img')[0]
    ids = read(plain, 'ids')[0]
    np.testing.assert_array_equal(tint_classes(img, ids, 0.0), img)


def test_bad_strength_is_refused(tmp_path):
    with pytest.raises(ValueError, match='class_tint'):
        generate_dataset(str(tmp_path), 'cityscapes', num_train=1,
                         num_val=0, num_extra=0, size=(32, 16),
                         class_tint=1.5)

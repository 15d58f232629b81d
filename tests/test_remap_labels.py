"""RemapLabels: label ids through a table (the CPU pretraining stand-in's
Cityscapes categories)."""
import numpy as np
import pytest

from mmssl.datasets.transforms.remap_labels import (
    CITYSCAPES_CATEGORIES, CITYSCAPES_TRAIN_ID_TO_CATEGORY, RemapLabels)


def test_cityscapes_categories_follow_cityscapesscripts():
    # cityscapesscripts labels.py: trainId -> category
    expected = dict(
        road='flat', sidewalk='flat', building='construction',
        wall='construction', fence='construction', pole='object',
        **{'traffic light': 'object', 'traffic sign': 'object'},
        vegetation='nature', terrain='nature', sky='sky', person='human',
        rider='human', car='vehicle', truck='vehicle', bus='vehicle',
        train='vehicle', motorcycle='vehicle', bicycle='vehicle')
    from mmssl.datasets.synthetic.cityscapes import CLASSES
    got = {c: CITYSCAPES_CATEGORIES[CITYSCAPES_TRAIN_ID_TO_CATEGORY[i]]
           for i, c in enumerate(CLASSES)}
    assert got == expected


def test_maps_every_pixel_and_keeps_ignore():
    seg = np.array([[0, 1, 2, 255], [13, 18, 5, 11]], np.uint8)
    out = RemapLabels('cityscapes_categories')(dict(gt_seg_map=seg))
    np.testing.assert_array_equal(
        out['gt_seg_map'], [[0, 0, 1, 255], [6, 6, 2, 5]])
    assert out['gt_seg_map'].dtype == np.uint8


def test_custom_table_and_unknown_ids_fail_with_the_file():
    t = RemapLabels([2, 0, 1])
    out = t(dict(gt_seg_map=np.array([[0, 1, 2]], np.uint8)))
    np.testing.assert_array_equal(out['gt_seg_map'], [[2, 0, 1]])
    with pytest.raises(ValueError, match=r'\[7\].*a\.png'):
        t(dict(gt_seg_map=np.array([[0, 7]], np.uint8), seg_map_path='a.png'))


@pytest.mark.parametrize('bad', ['categories', [], [0, -1], [0.5]])
def test_bad_mapping_is_refused(bad):
    with pytest.raises(ValueError, match='RemapLabels'):
        RemapLabels(bad)

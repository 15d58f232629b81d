"""Pseudo-label quality against the ground truth
(mmssl/pseudo_labeling/quality.py, tools/analysis_tools/
pseudo_label_quality.py): counts equal a pixel-by-pixel count, the
measures equal their definitions, bad input names the file."""
import importlib.util
import json
import os.path as osp

import numpy as np
import pytest

from mmssl.pseudo_labeling.quality import (paired_label_files,
                                           pseudo_label_confusion,
                                           quality_table)

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def _tool():
    spec = importlib.util.spec_from_file_location(
        'pseudo_label_quality', osp.join(ROOT, 'tools', 'analysis_tools',
                                         'pseudo_label_quality.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _loop_confusion(pseudo, gt, n, ignore=255):
    out = np.zeros((n, n + 1), np.int64)
    for p, g in zip(pseudo.ravel().tolist(), gt.ravel().tolist()):
        if g == ignore:
            continue
        out[g, n if p == ignore else p] += 1
    return out


def test_confusion_equals_pixel_count():
    rng = np.random.default_rng(0)
    gt = rng.integers(0, 4, (9, 7)).astype(np.uint8)
    gt[0, :3] = 255
    pseudo = rng.integers(0, 4, (9, 7)).astype(np.uint8)
    pseudo[rng.random((9, 7)) < 0.3] = 255
    conf = pseudo_label_confusion(pseudo, gt, 4)
    np.testing.assert_array_equal(conf, _loop_confusion(pseudo, gt, 4))
    assert conf.sum() == 9 * 7 - 3


def test_measures_follow_their_definitions():
    # rows: true class; columns: pseudo class 0, 1, 2, unlabeled
    conf = np.array([[8, 2, 0, 10],    # 20 true a: 8 kept right, 2 -> b
                     [0, 6, 0, 0],     # 6 true b, all right
                     [0, 3, 0, 1]])    # 4 true c: 3 -> b, 1 unlabeled
    t = quality_table(conf, ['a', 'b', 'c'])
    a, b, c = t['classes']
    assert a['precision'] == 1.0 and a['recall'] == 8 / 20
    assert a['coverage'] == 10 / 20 and a['iou'] == 8 / (8 + 10 - 8)
    assert a['taken_by'] == dict(name='b', share=2 / 20)
    assert b['precision'] == 6 / 11 and b['recall'] == 1.0
    assert b['iou'] == 6 / (11 + 6 - 6) and b['taken_by'] is None
    # never labeled c: no precision; its labeled pixels went to b
    assert c['precision'] is None and c['recall'] == 0.0
    assert c['taken_by'] == dict(name='b', share=3 / 4)
    assert t['pixels'] == 30 and t['labeled_ratio'] == 19 / 30
    assert t['accuracy'] == 14 / 19


def test_bad_values_and_shapes_are_named():
    gt = np.zeros((2, 2), np.uint8)
    with pytest.raises(ValueError, match='shape'):
        pseudo_label_confusion(np.zeros((2, 3), np.uint8), gt, 3)
    with pytest.raises(ValueError, match='pseudo-label values'):
        pseudo_label_confusion(np.full((2, 2), 7, np.uint8), gt, 3)
    with pytest.raises(ValueError, match='ground truth values'):
        pseudo_label_confusion(gt, np.full((2, 2), 5, np.uint8), 3)
    with pytest.raises(ValueError, match='expected'):
        quality_table(np.zeros((3, 3)), ['a', 'b', 'c'])


def test_tool_on_a_pseudo_label_folder(tmp_path):
    """The layout tools/pseudo_label.py writes: OUT/summary.json and
    OUT/<seg_map_prefix>/<city>/<name>.png, ground truth at the same
    path under the data root."""
    import cv2
    rng = np.random.default_rng(1)
    out, data = tmp_path / 'pl', tmp_path / 'data'
    prefix = 'gtFine/train'
    names = ['c1/x_gtFine_labelTrainIds.png', 'c2/y_gtFine_labelTrainIds.png']
    expected = np.zeros((3, 4), np.int64)
    for name in names:
        gt = rng.integers(0, 3, (5, 6)).astype(np.uint8)
        pseudo = np.where(rng.random((5, 6)) < 0.4, 255,
                          rng.integers(0, 3, (5, 6))).astype(np.uint8)
        for root, arr in ((out, pseudo), (data, gt)):
            path = root / prefix / name
            path.parent.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(path), arr)
        expected += _loop_confusion(pseudo, gt, 3)
    (out / 'summary.json').write_text(json.dumps(dict(
        classes=['a', 'b', 'c'], policy=dict(type='ST', threshold=0.5),
        fingerprint=dict(seg_map_prefix=prefix))))
    res = _tool().main([str(out), '--data-root', str(data)])
    assert res['images'] == 2
    np.testing.assert_array_equal(res['confusion'], expected)
    saved = json.loads((out / 'quality.json').read_text())
    assert saved['classes'] == quality_table(expected, 'abc')['classes']
    assert (out / 'quality.png').stat().st_size > 0

    (data / prefix / names[1]).unlink()
    with pytest.raises(FileNotFoundError, match='y_gtFine.*no ground truth'):
        _tool().main([str(out), '--data-root', str(data)])
    with pytest.raises(FileNotFoundError, match='summary.json'):
        _tool().main([str(tmp_path), '--data-root', str(data)])
    with pytest.raises(FileNotFoundError, match='no pseudo-label files'):
        paired_label_files(str(data), str(data), suffix='.jpg')

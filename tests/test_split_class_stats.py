"""tools/analysis_tools/split_class_stats.py: images and pixels per class of
a config's labeled split, against counts made independently from the label
files, the classes with no labeled pixel named, the json / png written,
and the label settings (reduce_zero_label, label_map) applied as mmseg's
LoadAnnotations applies them."""
import glob
import json
import os.path as osp
import sys

import cv2
import numpy as np
import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(REPO, 'tools', 'analysis_tools'))
import split_class_stats as scs  # noqa: E402

CONFIG = osp.join(REPO, 'configs/cpu_benchmark/'
                  'deeplabv3plus_r18-d16_1xb4-cpu-sup_synthcityscapes.py')


def _names(root):
    maps = sorted(glob.glob(osp.join(root, 'gtFine/train/*/'
                                     '*_gtFine_labelTrainIds.png')))
    return [osp.relpath(p, osp.join(root, 'gtFine/train'))
            [:-len('_gtFine_labelTrainIds.png')] for p in maps]


def test_counts_equal_the_label_files(synthetic_cityscapes_root, tmp_path,
                                      capsys):
    root = synthetic_cityscapes_root
    names = _names(root)[:2]
    split = tmp_path / 'labeled.txt'
    split.write_text('\n'.join(names) + '\n')
    out = tmp_path / 'out'
    res = scs.main([CONFIG, '--out', str(out), '--reference', '',
                    '--cfg-options',
                    f'train_dataloader.dataset.data_root={root}/',
                    f'train_dataloader.dataset.ann_file={split}'])
    images, pixels = np.zeros(19, int), np.zeros(19, int)
    for n in names:
        gt = cv2.imread(osp.join(root, 'gtFine/train',
                                 n + '_gtFine_labelTrainIds.png'),
                        cv2.IMREAD_UNCHANGED)
        c = np.bincount(gt[gt < 19].ravel(), minlength=19)
        images += c > 0
        pixels += c
    assert res['num_images'] == 2
    assert res['images'] == images.tolist()
    assert res['pixels'] == pixels.tolist()
    absent = [res['classes'][k] for k in range(19) if images[k] == 0]
    assert absent and res['absent'] == absent
    # the reference: every train image under the prefix
    assert res['reference']['num_images'] == len(_names(root))
    assert all(r >= s for r, s in zip(res['reference']['images'],
                                      res['images']))
    saved = json.loads((out / 'split_class_stats.json').read_text())
    assert saved['images'] == res['images']
    assert (out / 'split_class_stats.png').read_bytes()[:4] == b'\x89PNG'
    printed = capsys.readouterr().out
    assert 'classes with no labeled pixel: ' + ', '.join(absent) in printed


def test_label_settings_and_missing_files(tmp_path):
    """reduce_zero_label (0 -> ignore, the rest shifted down), then
    label_map on the result, as LoadAnnotations; a missing label map is
    named."""
    path = str(tmp_path / 'gt.png')
    cv2.imwrite(path, np.array([[0, 1, 2, 3]] * 2, np.uint8))
    got = scs.load_label(dict(seg_map_path=path, label_map={2: 0, 0: 5},
                              reduce_zero_label=True))
    assert got.tolist() == [[255, 5, 1, 0]] * 2
    with pytest.raises(FileNotFoundError, match='nothere.png'):
        scs.load_label(dict(seg_map_path=str(tmp_path / 'nothere.png')))

"""Bad data produces the documented exception, naming the file / setting:
checked datasets (split files, missing files) and checked loading
transforms (corrupt images and labels, out-of-range values, size
mismatch), plus LoadEmptySegMap for unlabeled samples."""
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest
from mmengine.registry import init_default_scope

from mmseg.registry import DATASETS, TRANSFORMS
from mmssl.datasets import SemiCityscapesDataset, SemiPascalVOCDataset
from mmssl.datasets.transforms import (LoadCheckedAnnotations,
                                       LoadCheckedImageFromFile,
                                       LoadEmptySegMap)

STEM = 'aachen/aachen_000000_000019'
CS_PREFIX = dict(img_path='leftImg8bit/train', seg_map_path='gtFine/train')


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmseg')


@pytest.fixture
def cs_root(synthetic_cityscapes_root, tmp_path):
    """A private copy of the tiny synthetic Cityscapes tree."""
    dst = tmp_path / 'cityscapes'
    shutil.copytree(synthetic_cityscapes_root, dst)
    return str(dst)


def _split(tmp_path, text, name='split.txt'):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def _cs(root, ann_file='', **kw):
    kw.setdefault('data_prefix', CS_PREFIX)
    kw.setdefault('serialize_data', False)  # its gc.collect() costs 0.15 s
    return SemiCityscapesDataset(data_root=root, ann_file=ann_file, **kw)


def _stems(root):
    return [
        i['img_path'][len(root) +
                      len('/leftImg8bit/train/'):-len('_leftImg8bit.png')]
        for i in _cs(root).load_data_list()
    ]


# ------------------------------------------------------------------ datasets
def test_registered():
    # the names resolve to these classes (not merely to something)
    for name, cls in (('SemiCityscapesDataset', SemiCityscapesDataset),
                      ('SemiPascalVOCDataset', SemiPascalVOCDataset)):
        assert DATASETS.get(name) is cls
    for name, cls in (('LoadCheckedImageFromFile', LoadCheckedImageFromFile),
                      ('LoadCheckedAnnotations', LoadCheckedAnnotations),
                      ('LoadEmptySegMap', LoadEmptySegMap)):
        assert TRANSFORMS.get(name) is cls


def test_valid_split_matches_stock_dataset(synthetic_cityscapes_root,
                                           tmp_path):
    from mmseg.datasets import CityscapesDataset
    root = synthetic_cityscapes_root
    stems = _stems(root)
    ann = _split(tmp_path, '\n'.join(stems[::2]) + '\n\n')  # blank skipped
    ours = _cs(root, ann)
    stock = CityscapesDataset(
        data_root=root, ann_file=ann, data_prefix=CS_PREFIX)
    assert len(ours) == 3 and len(stock) == 4  # stock keeps the blank line
    for i in range(3):
        a, b = ours.get_data_info(i), stock.get_data_info(i)
        assert a['img_path'] == b['img_path']
        assert a['seg_map_path'] == b['seg_map_path']
        assert a['num_classes'] == 19


def test_missing_ann_file(cs_root):
    with pytest.raises(FileNotFoundError, match='nope.txt'):
        _cs(cs_root, 'splits/nope.txt')


def test_empty_split_file(cs_root, tmp_path):
    for text in ('', '\n  \n'):
        ann = _split(tmp_path, text)
        with pytest.raises(ValueError, match='is empty') as e:
            _cs(cs_root, ann)
        assert ann in str(e.value)


@pytest.mark.parametrize('bad,reason', [
    (STEM + '_leftImg8bit.png', 'suffix'),
    (STEM + '.png', 'suffix'),
    (STEM + '_leftImg8bit', "ends with '_leftImg8bit'"),
    ('aachen/aachen 000000_000019', 'whitespace'),
    (STEM + ' ' + STEM, 'whitespace'),
    ('/abs/' + STEM, 'absolute path'),
    ('DUP', 'duplicates line 1'),
])
def test_malformed_split_line(synthetic_cityscapes_root, tmp_path, bad,
                              reason):
    stems = _stems(synthetic_cityscapes_root)
    bad = stems[0] if bad == 'DUP' else bad
    ann = _split(tmp_path, f'{stems[0]}\n{stems[1]}\n{bad}\n{stems[2]}\n')
    with pytest.raises(ValueError) as e:
        _cs(synthetic_cityscapes_root, ann)
    msg = str(e.value)
    assert f'{ann}:3:' in msg and reason in msg
    assert 'without file suffix' in msg and STEM in msg  # what is expected


def test_missing_image_and_label(cs_root, tmp_path):
    stems = _stems(cs_root)
    ann = _split(tmp_path, '\n'.join(stems) + '\nzurich/zurich_000001_000019')
    with pytest.raises(FileNotFoundError) as e:
        _cs(cs_root, ann)
    msg = str(e.value)
    assert '2 file(s)' in msg and ann in msg
    assert 'leftImg8bit/train/zurich/zurich_000001_000019_leftImg8bit.png' \
        in msg
    assert 'gtFine/train/zurich/zurich_000001_000019_gtFine_labelTrainIds' \
        in msg
    # a label missing for an existing image (scan mode, no ann_file)
    lab = osp.join(cs_root, 'gtFine/train',
                   stems[1] + '_gtFine_labelTrainIds.png')
    shutil.os.remove(lab)
    with pytest.raises(FileNotFoundError, match='1 file') as e:
        _cs(cs_root)
    assert lab in str(e.value) and 'image folder' in str(e.value)
    # unlabeled view of the same images does not need labels
    unl = _cs(
        cs_root,
        data_prefix=dict(img_path='leftImg8bit/train', seg_map_path=None))
    assert len(unl) == 6 and 'seg_map_path' not in unl.get_data_info(0)
    # check_files=False defers the problem (opt-out for slow storage)
    assert len(_cs(cs_root, check_files=False)) == 6


def test_missing_or_empty_image_dir(tmp_path):
    with pytest.raises(FileNotFoundError, match='leftImg8bit/train'):
        _cs(str(tmp_path))
    (tmp_path / 'leftImg8bit' / 'train' / 'aachen').mkdir(parents=True)
    with pytest.raises(ValueError, match='found no images') as e:
        _cs(str(tmp_path))
    assert osp.join(str(tmp_path), 'leftImg8bit/train') in str(e.value)
    assert '_leftImg8bit.png' in str(e.value)


def test_voc_checks(synthetic_voc_root, tmp_path):
    prefix = dict(img_path='JPEGImages', seg_map_path='SegmentationClass')
    ok = SemiPascalVOCDataset(
        data_root=synthetic_voc_root,
        ann_file='ImageSets/Segmentation/train.txt',
        data_prefix=prefix)
    assert len(ok) == 6 and ok.get_data_info(0)['num_classes'] == 21
    with pytest.raises(ValueError, match='ann_file is required'):
        SemiPascalVOCDataset(
            data_root=synthetic_voc_root, ann_file='', data_prefix=prefix)
    # aug-only ids have no SegmentationClass label
    with pytest.raises(FileNotFoundError, match='6 file') as e:
        SemiPascalVOCDataset(
            data_root=synthetic_voc_root,
            ann_file='ImageSets/Segmentation/aug.txt',
            data_prefix=prefix)
    assert 'SegmentationClass/' in str(e.value)
    ann = _split(tmp_path, '2007_000032.jpg\n')
    with pytest.raises(ValueError, match=r"suffix \('.jpg'\)") as e:
        SemiPascalVOCDataset(
            data_root=synthetic_voc_root, ann_file=ann, data_prefix=prefix)
    assert '2007_000032' in str(e.value) and ann + ':1:' in str(e.value)


# ---------------------------------------------------------------- transforms
def _img_results(path):
    return dict(img_path=path)


def _truncate(src, dst, keep=0.5):
    data = open(src, 'rb').read()
    with open(dst, 'wb') as f:
        f.write(data[:int(len(data) * keep)])
    return dst


def _info(root, i=0):
    return _cs(root).get_data_info(i)


@pytest.mark.parametrize('kind', ['png', 'jpg', 'empty', 'garbage'])
def test_corrupt_image(synthetic_cityscapes_root, synthetic_voc_root, tmp_path,
                       kind):
    if kind == 'png':
        src = _info(synthetic_cityscapes_root)['img_path']
        bad = _truncate(src, str(tmp_path / 'x_leftImg8bit.png'))
    elif kind == 'jpg':
        src = osp.join(synthetic_voc_root, 'JPEGImages', '2007_000032.jpg')
        bad = _truncate(src, str(tmp_path / 'x.jpg'), 0.7)
    else:
        bad = str(tmp_path / 'x.png')
        open(bad, 'wb').write(b'' if kind == 'empty' else b'\x00junk' * 50)
    t = LoadCheckedImageFromFile()
    with pytest.raises(ValueError, match='corrupt or undecodable image') as e:
        t(_img_results(bad))
    assert bad in str(e.value)
    assert LoadCheckedImageFromFile(ignore_empty=True)(
        _img_results(bad)) is None


def test_missing_image_file(tmp_path):
    p = str(tmp_path / 'gone.png')
    with pytest.raises(FileNotFoundError, match='gone.png'):
        LoadCheckedImageFromFile()(_img_results(p))


def test_valid_files_load_like_stock(synthetic_cityscapes_root):
    from mmcv.transforms import LoadImageFromFile
    from mmseg.datasets.transforms import LoadAnnotations
    info = _info(synthetic_cityscapes_root, 2)
    ours = LoadCheckedAnnotations()(LoadCheckedImageFromFile()(dict(info)))
    info2 = dict(info, seg_fields=[])
    stock = LoadAnnotations()(LoadImageFromFile()(info2))
    np.testing.assert_array_equal(ours['img'], stock['img'])
    np.testing.assert_array_equal(ours['gt_seg_map'], stock['gt_seg_map'])
    assert ours['gt_seg_map'].dtype == np.uint8
    assert ours['seg_fields'] == ['gt_seg_map'] and ours['is_labeled'] is True


def _with_label(root, tmp_path, arr):
    """Data info of a real image whose label file is replaced by ``arr``."""
    info = _info(root)
    p = str(tmp_path / 'lab_gtFine_labelTrainIds.png')
    assert cv2.imwrite(p, arr)
    info['seg_map_path'] = p
    return info


def test_corrupt_label(synthetic_cityscapes_root, tmp_path):
    info = _info(synthetic_cityscapes_root)
    bad = _truncate(info['seg_map_path'], str(tmp_path / 'bad_lab.png'))
    info['seg_map_path'] = bad
    t = LoadCheckedAnnotations()
    with pytest.raises(ValueError, match='corrupt or undecodable label') as e:
        t(LoadCheckedImageFromFile()(info))
    assert bad in str(e.value)
    info['seg_map_path'] = str(tmp_path / 'none.png')
    with pytest.raises(FileNotFoundError, match='label file .*none.png'):
        t(info)


def test_out_of_range_labels(synthetic_cityscapes_root, tmp_path):
    root = synthetic_cityscapes_root
    lab = cv2.imread(_info(root)['seg_map_path'], cv2.IMREAD_UNCHANGED)
    lab[0, :3] = [19, 30, 30]
    info = _with_label(root, tmp_path, lab)
    img = LoadCheckedImageFromFile()
    # num_classes from the dataset entry (19 for Cityscapes)
    with pytest.raises(ValueError) as e:
        LoadCheckedAnnotations()(img(dict(info)))
    msg = str(e.value)
    assert info['seg_map_path'] in msg and '[19, 30]' in msg and '0..18' in msg
    # explicit num_classes wins; 255 is always allowed
    r = LoadCheckedAnnotations(num_classes=31)(img(dict(info)))
    assert set(np.unique(r['gt_seg_map'])) >= {19, 30}
    # from metainfo when the entry has no num_classes; skipped without any
    plain = {k: v for k, v in info.items() if k != 'num_classes'}
    with pytest.raises(ValueError, match=r'\[30\]'):
        LoadCheckedAnnotations()(
            img(dict(plain, metainfo=dict(classes=tuple(range(20))))))
    assert LoadCheckedAnnotations()(img(dict(plain)))['gt_seg_map'][0, 1] == 30
    # checked after reduce_zero_label: 0 -> 255 fine, 20 -> 19 out of range
    z = np.zeros((32, 64), np.uint8)
    z[5, 5] = 20
    zinfo = dict(_with_label(root, tmp_path, z), reduce_zero_label=True)
    with pytest.raises(ValueError, match=r'\[19\]'):
        LoadCheckedAnnotations()(img(zinfo))
    z[5, 5] = 19  # -> 18: valid
    zinfo = dict(_with_label(root, tmp_path, z), reduce_zero_label=True)
    r = LoadCheckedAnnotations()(img(zinfo))
    assert r['gt_seg_map'][5, 5] == 18 and r['gt_seg_map'][0, 0] == 255
    # 16-bit label with values that do not fit uint8 (stock wraps them)
    big = lab.astype(np.uint16)
    big[1, 1] = 300
    with pytest.raises(ValueError, match=r'\[300\].*uint8'):
        LoadCheckedAnnotations()(img(_with_label(root, tmp_path, big)))


def test_label_map_applied_before_range_check(synthetic_cityscapes_root):
    ds = _cs(
        synthetic_cityscapes_root,
        metainfo=dict(classes=('road', 'sidewalk', 'car')))
    info = ds.get_data_info(0)
    assert info['num_classes'] == 3
    r = LoadCheckedAnnotations()(LoadCheckedImageFromFile()(info))
    # oracle: Cityscapes train ids road 0, sidewalk 1, car 13 -> 0, 1, 2;
    # every other class -> 255
    raw = cv2.imread(info['seg_map_path'], cv2.IMREAD_UNCHANGED)
    lut = np.full(256, 255, np.uint8)
    lut[[0, 1, 13]] = [0, 1, 2]
    np.testing.assert_array_equal(r['gt_seg_map'], lut[raw])
    # not vacuous: the label holds kept and dropped classes
    assert {0, 1, 13} <= set(np.unique(raw).tolist())
    assert (lut[raw] == 255).sum() > (raw == 255).sum()


def test_label_size_and_channels(synthetic_cityscapes_root, tmp_path):
    root = synthetic_cityscapes_root
    lab = cv2.imread(_info(root)['seg_map_path'], cv2.IMREAD_UNCHANGED)
    info = _with_label(
        root, tmp_path,
        cv2.resize(lab, (60, 30), interpolation=cv2.INTER_NEAREST))
    with pytest.raises(ValueError) as e:
        LoadCheckedAnnotations()(LoadCheckedImageFromFile()(info))
    msg = str(e.value)
    assert info['seg_map_path'] in msg and info['img_path'] in msg
    assert '30x60' in msg and '32x64' in msg
    rgb = _with_label(root, tmp_path, np.dstack([lab] * 3))
    with pytest.raises(ValueError, match='single-channel'):
        LoadCheckedAnnotations()(LoadCheckedImageFromFile()(rgb))
    unl = {k: v for k, v in info.items() if k != 'seg_map_path'}
    with pytest.raises(ValueError, match='LoadEmptySegMap'):
        LoadCheckedAnnotations()(LoadCheckedImageFromFile()(unl))


def test_load_empty_seg_map(synthetic_cityscapes_root):
    ds = SemiCityscapesDataset(
        data_root=synthetic_cityscapes_root,
        data_prefix=dict(img_path='leftImg8bit/train_extra'),
        pipeline=[
            dict(type='LoadCheckedImageFromFile'),
            dict(type='LoadEmptySegMap'),
            dict(type='RandomCrop', crop_size=(16, 24))
        ])
    r = ds[0]
    assert r['is_labeled'] is False and r['seg_fields'] == ['gt_seg_map']
    assert r['img'].shape[:2] == r['gt_seg_map'].shape == (16, 24)
    # in view, no class: neither a label nor the ignore index
    assert r['gt_seg_map'].dtype == np.uint8 and (r['gt_seg_map'] == 254).all()
    # geometric transforms fill what they add with the ignore index
    padded = SemiCityscapesDataset(
        data_root=synthetic_cityscapes_root,
        data_prefix=dict(img_path='leftImg8bit/train_extra'),
        pipeline=[
            dict(type='LoadCheckedImageFromFile'),
            dict(type='LoadEmptySegMap'),
            dict(type='mmdet.Pad', size=(80, 40),  # (w, h)
                 pad_val=dict(img=0, seg=255))
        ])[0]
    seg = padded['gt_seg_map']
    assert (seg[:32, :64] == 254).all() and (seg[32:] == 255).all()
    assert (seg[:, 64:] == 255).all()
    # seg_fields created if missing, never duplicated; custom fill value
    res = LoadEmptySegMap(in_view_value=7)(dict(img=np.zeros((5, 9, 3))))
    assert res['seg_fields'] == ['gt_seg_map']
    assert res['gt_seg_map'].shape == (5, 9) and (res['gt_seg_map'] == 7).all()
    res = LoadEmptySegMap()(res)
    assert res['seg_fields'] == ['gt_seg_map']
    with pytest.raises(KeyError, match='image loaded first'):
        LoadEmptySegMap()(dict(img_path='a.png'))

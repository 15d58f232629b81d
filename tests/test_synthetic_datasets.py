"""Synthetic Cityscapes / VOC generators: real on-disk formats that stock
mmseg datasets load, label files consistent with each other, determinism,
idempotent generation, class frequencies, and that colour alone does not
give the classes away."""
import glob
import hashlib
import importlib.util
import json
import os
import os.path as osp
import re

import cv2
import numpy as np
import pytest
from mmengine.registry import init_default_scope
from PIL import Image

from mmssl.datasets.synthetic import (CityscapesSceneGenerator,
                                      VOCSceneGenerator, generate_dataset,
                                      voc_palette)
from mmssl.datasets.synthetic.cityscapes import (CLASSES, LABEL_IDS,
                                                 THING_CLASSES, TRAIN_ID)
from mmssl.datasets.synthetic.common import image_rng

PIPE = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations')]
ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmseg')


def _tree_digest(root):
    out = {}
    for p in sorted(glob.glob(osp.join(root, '**', '*'), recursive=True)):
        if osp.isfile(p):
            with open(p, 'rb') as f:
                out[osp.relpath(p, root)] = hashlib.sha1(f.read()).hexdigest()
    return out


# ----------------------------------------------------------------- Cityscapes
def test_cityscapes_layout_and_stock_dataset(synthetic_cityscapes_root):
    from mmseg.datasets import CityscapesDataset
    root = synthetic_cityscapes_root
    for split, n in (('train', 6), ('val', 3)):
        imgs = sorted(glob.glob(f'{root}/leftImg8bit/{split}/*/*.png'))
        assert len(imgs) == n
        for p in imgs:
            m = re.fullmatch(r'([a-z-]+)_(\d{6})_(\d{6})_leftImg8bit\.png',
                             osp.basename(p))
            assert m and m.group(1) == osp.basename(osp.dirname(p))
            stem = p.replace('leftImg8bit', 'gtFine', 1)[:-len('leftImg8bit'
                                                               '.png')]
            for sfx in ('labelTrainIds.png', 'labelIds.png', 'instanceIds.png',
                        'polygons.json'):
                assert osp.isfile(stem + 'gtFine_' + sfx), stem + sfx
        ds = CityscapesDataset(
            data_root=root,
            pipeline=PIPE,
            data_prefix=dict(
                img_path=f'leftImg8bit/{split}',
                seg_map_path=f'gtFine/{split}'))
        assert len(ds) == n
        for i in range(n):
            r = ds[i]
            assert r['img'].shape == (32, 64, 3)
            assert r['gt_seg_map'].shape == (32, 64)
            vals = set(np.unique(r['gt_seg_map']).tolist())
            assert vals <= set(range(19)) | {255}
            assert len(vals) >= 4
    extra = glob.glob(f'{root}/leftImg8bit/train_extra/*/*_leftImg8bit.png')
    assert len(extra) == 4
    assert not osp.exists(f'{root}/gtFine/train_extra')
    assert len(os.listdir(f'{root}/leftImg8bit/train')) == 2  # cities


def test_cityscapes_label_files_agree(synthetic_cityscapes_root):
    lut = np.full(256, 255, np.int64)
    lut[list(LABEL_IDS)] = np.arange(19)
    for tp in glob.glob(f'{synthetic_cityscapes_root}/gtFine/*/*/'
                        '*_labelTrainIds.png'):
        tid = cv2.imread(tp, cv2.IMREAD_UNCHANGED)
        lid = cv2.imread(
            tp.replace('labelTrainIds', 'labelIds'), cv2.IMREAD_UNCHANGED)
        iid = cv2.imread(
            tp.replace('labelTrainIds', 'instanceIds'), cv2.IMREAD_UNCHANGED)
        assert tid.dtype == np.uint8 and lid.dtype == np.uint8
        assert iid.dtype == np.uint16  # 16-bit PNG, like Cityscapes
        # official labelId -> trainId mapping reproduces labelTrainIds
        np.testing.assert_array_equal(lut[lid], tid)
        # ignored pixels carry ignored label ids (unlabeled/ego/static/dyn.)
        assert set(np.unique(lid[tid == 255]).tolist()) <= {0, 1, 4, 5}
        # instance ids: labelId*1000+k for things, labelId for the rest
        things = np.isin(tid, [TRAIN_ID[c] for c in THING_CLASSES])
        np.testing.assert_array_equal(iid[~things], lid[~things])
        assert (iid[things] >= 1000).all()
        np.testing.assert_array_equal(iid[things] // 1000, lid[things])


def test_cityscapes_polygons_match_instance_masks(tmp_path):
    res = generate_dataset(
        str(tmp_path),
        'cityscapes',
        seed=3,
        num_train=5,
        num_val=0,
        num_extra=0,
        size=(128, 64))
    checked = full = 0
    for jp in glob.glob(f'{res["root"]}/gtFine/train/*/*_polygons.json'):
        with open(jp) as f:
            ann = json.load(f)
        assert (ann['imgHeight'], ann['imgWidth']) == (64, 128)
        iid = cv2.imread(
            jp.replace('polygons.json', 'instanceIds.png'),
            cv2.IMREAD_UNCHANGED)
        labels = {o['label'] for o in ann['objects']}
        assert {'road', 'sky'} <= labels
        for name in THING_CLASSES:
            lid = LABEL_IDS[TRAIN_ID[name]]
            objs = [o for o in ann['objects'] if o['label'] == name]
            # every instance in the mask has its polygon (k-th object)
            present = np.unique(iid[iid // 1000 == lid]) % 1000
            assert present.size == 0 or present.max() < len(objs)
            for k, o in enumerate(objs):
                mask = iid == lid * 1000 + k
                if not mask.any():
                    continue  # fully occluded
                poly = np.zeros_like(iid, np.uint8)
                cv2.fillPoly(poly, [np.array(o['polygon'], np.int32)], 1)
                # visible pixels lie inside the (full) polygon
                assert not (mask & (poly == 0)).any()
                ys, xs = np.nonzero(mask)
                pys, pxs = np.nonzero(poly)
                box_m = (xs.min(), ys.min(), xs.max(), ys.max())
                box_p = (pxs.min(), pys.min(), pxs.max(), pys.max())
                assert box_p[0] <= box_m[0] and box_p[1] <= box_m[1]
                assert box_p[2] >= box_m[2] and box_p[3] >= box_m[3]
                checked += 1
                if mask.sum() >= 0.97 * poly.sum():  # unoccluded
                    assert box_m == box_p
                    full += 1
    assert checked >= 10 and full >= 3


# ------------------------------------------------------------------------ VOC
def test_voc_layout_and_stock_dataset(synthetic_voc_root):
    from mmseg.datasets import PascalVOCDataset
    root = synthetic_voc_root
    sets = {}
    for name in ('train', 'val', 'trainval', 'aug'):
        with open(f'{root}/ImageSets/Segmentation/{name}.txt') as f:
            sets[name] = f.read().splitlines()
        assert sets[name] == sorted(sets[name])
        assert all(
            re.fullmatch(r'20(0[7-9]|1[0-2])_\d{6}', i) for i in sets[name])
    tr, va, aug = set(sets['train']), set(sets['val']), set(sets['aug'])
    assert (len(tr), len(va), len(aug)) == (6, 3, 12)
    assert tr <= aug and not (va & aug)
    assert set(sets['trainval']) == tr | va
    assert len(glob.glob(f'{root}/JPEGImages/*.jpg')) == 15
    assert len(glob.glob(f'{root}/SegmentationClass/*.png')) == 9
    assert len(glob.glob(f'{root}/SegmentationClassAug/*.png')) == 15

    for ann, seg, n, void in (('train.txt', 'SegmentationClass', 6, True),
                              ('val.txt', 'SegmentationClass', 3, True),
                              ('aug.txt', 'SegmentationClassAug', 12, False)):
        ds = PascalVOCDataset(
            data_root=root,
            ann_file=f'ImageSets/Segmentation/{ann}',
            data_prefix=dict(img_path='JPEGImages', seg_map_path=seg),
            pipeline=PIPE)
        assert len(ds) == n
        for i in range(n):
            r = ds[i]
            assert r['img'].shape[:2] == r['gt_seg_map'].shape
            vals = set(np.unique(r['gt_seg_map']).tolist())
            assert vals <= set(range(21)) | {255}
            assert (255 in vals) == void
            assert vals & set(range(1, 21))  # at least one object


def test_voc_palette_png_decodes_to_class_indices(synthetic_voc_root):
    from mmseg.datasets.transforms import LoadAnnotations
    pal = voc_palette()
    near = void = 0
    for p in glob.glob(f'{synthetic_voc_root}/SegmentationClass/*.png'):
        im = Image.open(p)
        assert im.mode == 'P'
        assert np.array_equal(
            np.array(im.getpalette()[:768], np.uint8).reshape(-1, 3), pal)
        r = LoadAnnotations()(
            dict(seg_map_path=p, reduce_zero_label=False, seg_fields=[]))
        cls = r['gt_seg_map']
        aug = cv2.imread(
            p.replace('SegmentationClass', 'SegmentationClassAug'),
            cv2.IMREAD_UNCHANGED)
        # indices, not colours: equal to the aug labels off the void band
        off = cls != 255
        np.testing.assert_array_equal(cls[off], aug[off])
        # the void band covers every label change and is a few px wide
        change = np.zeros_like(off)
        change[:, 1:] |= aug[:, 1:] != aug[:, :-1]
        change[1:] |= aug[1:] != aug[:-1]
        assert (cls[change] == 255).all()
        # ... and lies next to boundaries (a few also separate touching
        # objects of one class, which the class map cannot show)
        grown = cv2.dilate(change.astype(np.uint8), np.ones((5, 5), np.uint8))
        near += (grown[~off] == 1).sum()
        void += (~off).sum()
    assert near >= 0.9 * void
    assert pal[15].tolist() == [192, 128, 128]  # person in VOC


def test_voc_image_sizes_vary():
    gen = VOCSceneGenerator(96, 72)
    shapes = {gen.sample(image_rng(0, 2, 0, i)).img.shape for i in range(30)}
    assert (72, 96, 3) in shapes and (96, 72, 3) in shapes


# ---------------------------------------------------- determinism / stamps
@pytest.mark.parametrize('dataset', ['cityscapes', 'voc'])
def test_same_seed_identical_bytes_other_seed_differs(tmp_path, dataset):
    kw = dict(num_train=3, num_val=1, num_extra=2, size=(48, 24))
    a = generate_dataset(str(tmp_path / 'a'), dataset, seed=7, **kw)
    b = generate_dataset(str(tmp_path / 'b'), dataset, seed=7, **kw)
    c = generate_dataset(str(tmp_path / 'c'), dataset, seed=8, **kw)
    da, db, dc = (_tree_digest(x['root']) for x in (a, b, c))
    assert len(da) > 10 and da == db
    assert da.keys() == dc.keys()
    imgs = [k for k in da if k.endswith(('.jpg', '_leftImg8bit.png'))]
    assert all(da[k] != dc[k] for k in imgs)


def test_generation_is_idempotent_and_regenerates(tmp_path):
    kw = dict(num_val=0, num_extra=0, size=(48, 24))
    r1 = generate_dataset(str(tmp_path), 'cityscapes', num_train=4, **kw)
    assert not r1['skipped']
    img = glob.glob(f'{r1["root"]}/leftImg8bit/train/*/*.png')[0]
    mtime = os.stat(img).st_mtime_ns
    r2 = generate_dataset(str(tmp_path), 'cityscapes', num_train=4, **kw)
    assert r2['skipped'] and os.stat(img).st_mtime_ns == mtime
    # other arguments: old files removed, new set written
    generate_dataset(str(tmp_path), 'cityscapes', num_train=2, **kw)
    assert len(glob.glob(f'{r1["root"]}/leftImg8bit/train/*/*.png')) == 2
    imgs = sorted(glob.glob(f'{r1["root"]}/leftImg8bit/train/*/*.png'))
    before = {p: open(p, 'rb').read() for p in imgs}
    for p in imgs:  # damage the files: only a real rewrite restores them
        open(p, 'wb').write(b'junk')
    r4 = generate_dataset(
        str(tmp_path), 'cityscapes', num_train=2, force=True, **kw)
    assert not r4['skipped']
    # force rewrote every file, with the same (deterministic) bytes
    assert sorted(glob.glob(f'{r1["root"]}/leftImg8bit/train/*/*.png')) == imgs
    for p, data in before.items():
        assert open(p, 'rb').read() == data, p


def test_generation_refuses_foreign_data(tmp_path):
    foreign = tmp_path / 'cityscapes' / 'leftImg8bit' / 'train'
    foreign.mkdir(parents=True)
    (foreign / 'keep.txt').write_text('real data')
    with pytest.raises(FileExistsError, match='not made by this generator'):
        generate_dataset(
            str(tmp_path),
            'cityscapes',
            num_train=1,
            num_val=0,
            num_extra=0,
            size=(32, 16))
    generate_dataset(
        str(tmp_path),
        'cityscapes',
        num_train=1,
        num_val=0,
        num_extra=0,
        size=(32, 16),
        force=True)
    assert (foreign / 'keep.txt').read_text() == 'real data'


def test_cli(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location(
        'gen_datasets', osp.join(ROOT, 'tools', 'gen_datasets.py'))
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    argv = [
        '--out',
        str(tmp_path), '--dataset', 'cityscapes', 'voc', '--num-train', '2',
        '--num-val', '1', '--num-extra', '1', '--size', '48', '24',
        '--voc-size', '40', '30', '--voc-fixed-size', '--seed', '1'
    ]
    cli.main(argv)
    img = cv2.imread(
        glob.glob(f'{tmp_path}/cityscapes/leftImg8bit/train/*/'
                  '*.png')[0])
    assert img.shape == (24, 48, 3)
    jpgs = glob.glob(f'{tmp_path}/VOCdevkit/VOC2012/JPEGImages/*.jpg')
    assert len(jpgs) == 4
    assert all(cv2.imread(p).shape == (30, 40, 3) for p in jpgs)
    capsys.readouterr()
    cli.main(argv)
    assert capsys.readouterr().out.count('up to date') == 2


# ------------------------------------------------------ content statistics
def _colour_only_classifier(train, test, ncls, q=8):
    """Best per-pixel classifier from quantised RGB alone (train -> test)."""
    w = np.array([q * q, q, 1])

    def bins(img):
        return (img.reshape(-1, 3) // (256 // q)).astype(int) @ w

    hist = np.zeros((q**3, 256))
    for img, lab in train:
        np.add.at(hist, (bins(img), lab.ravel()), 1)
    best = hist[:, :ncls].argmax(1)
    pred = np.concatenate([best[bins(img)] for img, _ in test])
    gt = np.concatenate([lab.ravel() for _, lab in test])
    v = gt < ncls
    pred, gt = pred[v], gt[v]
    ious = [((pred == c) & (gt == c)).sum() / ((pred == c) | (gt == c)).sum()
            for c in np.unique(gt)]
    return float(np.mean(ious))


def test_cityscapes_class_frequencies_and_colour_ambiguity():
    gen = CityscapesSceneGenerator(128, 64)
    samples = [gen.sample(image_rng(11, 1, 0, i)) for i in range(40)]
    labs = np.stack([s.train_ids for s in samples])
    present = np.array([[(lab == c).any() for c in range(19)] for lab in labs])
    frac = np.bincount(labs.ravel(), minlength=256)[:19] / labs.size
    # every class occurs, the frequent ones in most images
    assert present.any(0).all(), [
        c for c, p in zip(CLASSES, present.any(0)) if not p
    ]
    for c in ('road', 'sidewalk', 'building', 'pole', 'sky', 'car'):
        assert present[:, TRAIN_ID[c]].mean() >= 0.8, c
    assert 0.15 < frac[TRAIN_ID['road']] < 0.5
    assert frac.max() < 0.5 and (frac > 0).all()
    assert 0 < (labs == 255).mean() < 0.1
    # colour alone is a poor predictor of the class
    data = [(s.img, s.train_ids) for s in samples]
    assert _colour_only_classifier(data[:20], data[20:], 19) < 0.2


def test_voc_class_frequencies_and_colour_ambiguity():
    gen = VOCSceneGenerator(80, 60, vary_size=False)
    samples = [gen.sample(image_rng(11, 2, 0, i)) for i in range(80)]
    labs = np.stack([s.labels for s in samples])
    counts = np.bincount(labs.ravel(), minlength=21)
    assert (counts > 0).all()  # all 20 classes + background
    assert 0.5 < counts[0] / labs.size < 0.9
    n_obj = [len(s.classes) for s in samples]
    assert min(n_obj) >= 1 and max(n_obj) <= 3
    data = [(s.img, s.labels) for s in samples]
    assert _colour_only_classifier(data[:40], data[40:], 21) < 0.15

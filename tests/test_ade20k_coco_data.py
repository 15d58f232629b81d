"""ADE20K and COCO-81 data for UniMatch V2: split regimes, generated trees,
dataset classes, the UniMatch V2 dataset base configs and their two
transforms (official settings from LiheYoung/UniMatch-V2)."""
import importlib.util
import os
import os.path as osp
import re
import shutil

import cv2
import numpy as np
import pytest
from mmengine import Config
from mmengine.registry import init_default_scope

from mmssl.datasets.splits import (ADE20K_TRAIN_SIZE, COCO_TRAIN_SIZE,
                                   PAPER_REGIMES, custom_regimes, make_split,
                                   read_list, write_splits)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CFG_DIR = osp.join(REPO, 'configs', '_base_', 'datasets')
# labeled images per regime: the official splits/<dataset>/1_<k>/labeled.txt
OFFICIAL = {
    'ade20k': {64: 316, 32: 631, 16: 1263, 8: 2526, 4: 5052, 2: 10105},
    'coco': {512: 232, 256: 463, 128: 925, 64: 1849, 32: 3697},
}
POOL_SIZE = {'ade20k': ADE20K_TRAIN_SIZE, 'coco': COCO_TRAIN_SIZE}


@pytest.fixture(scope='module', autouse=True)
def _scope():
    import mmssl  # noqa: F401
    init_default_scope('mmseg')


# ------------------------------------------------------------------ splits
@pytest.mark.parametrize('dataset', ['ade20k', 'coco'])
def test_paper_regimes_on_a_full_size_pool(dataset):
    """The paper regimes give the official counts on a pool of the real
    size (a fake list, not files); the rest of the pool is unlabeled."""
    assert POOL_SIZE == {'ade20k': 20210, 'coco': 118287}
    pool = [f'img_{i:06d}' for i in range(POOL_SIZE[dataset])]
    regimes = PAPER_REGIMES[dataset]
    assert [r.name for r in regimes] == [
        f'1-{k}' for k in OFFICIAL[dataset]]
    pools = {'train': pool}
    for r in regimes:
        k = int(r.name[2:])
        assert (r.labeled_pool, r.unlabeled_pool) == ('train', 'train')
        lab, unl = make_split(r, pools, seed=0)
        assert len(lab) == OFFICIAL[dataset][k]
        assert not set(lab) & set(unl)
        assert sorted(lab + unl) == pool
    r = regimes[0]
    assert make_split(r, pools, 3) == make_split(r, pools, 3)
    assert make_split(r, pools, 3)[0] != make_split(r, pools, 4)[0]
    # COCO's counts are 1/k rounded up, so custom fractions agree there
    if dataset == 'coco':
        for k, n in OFFICIAL['coco'].items():
            (c, ) = custom_regimes('coco', fractions=[f'1/{k}'])
            assert c.name == f'1-{k}' and c.count(len(pool)) == n


def test_custom_regimes_pools():
    (a, b) = custom_regimes('ade20k', [3], ['1/2'])
    assert (a.name, a.num_labeled, b.name) == ('3', 3, '1-2')
    assert {a.labeled_pool, a.unlabeled_pool} == {'train'}
    with pytest.raises(ValueError, match="'aug' is not a labeled pool"):
        custom_regimes('coco', [3], pool='aug')


@pytest.mark.parametrize('dataset', ['ade20k', 'coco'])
def test_make_splits_on_generated_tree(dataset, synthetic_ade20k_root,
                                       synthetic_coco_root, tmp_path):
    spec = importlib.util.spec_from_file_location(
        'make_splits', osp.join(REPO, 'tools', 'make_splits.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    main = tool.main
    root = dict(ade20k=synthetic_ade20k_root, coco=synthetic_coco_root)[
        dataset]
    img_dir = dict(ade20k='images/training', coco='train2017')[dataset]
    pool = sorted(f[:-4] for f in os.listdir(osp.join(root, img_dir)))
    outs = []
    for name in ('a', 'b'):
        out = str(tmp_path / name)
        main(['--dataset', dataset, '--data-root', root, '--out', out,
              '--num-labeled', '2', '--fractions', '1/2', '--num-splits',
              '2'])
        outs.append(out)
    for regime, n in (('2', 2), ('1-2', 3)):
        for k in range(2):
            d = osp.join(outs[0], regime, f'split{k}')
            lab = read_list(osp.join(d, 'labeled.txt'))
            unl = read_list(osp.join(d, 'unlabeled.txt'))
            assert len(lab) == n and sorted(lab + unl) == pool
            assert not set(lab) & set(unl)
            for f in ('labeled.txt', 'unlabeled.txt'):  # deterministic
                with open(osp.join(d, f)) as fa, open(
                        osp.join(outs[1], regime, f'split{k}', f)) as fb:
                    assert fa.read() == fb.read()
    # the paper regimes need the full dataset and say so
    n = dict(ade20k=316, coco=232)[dataset]
    with pytest.raises(ValueError, match=f'requests {n} labeled.*only 6'):
        write_splits(root, dataset, out_dir=str(tmp_path / 'paper'))


# ----------------------------------------------------- generated trees
def _read(path):
    return cv2.imread(path, cv2.IMREAD_UNCHANGED)


def test_generated_layouts_and_label_spaces(synthetic_ade20k_root,
                                            synthetic_coco_root):
    from mmseg.datasets import ADE20KDataset, COCOStuffDataset

    from mmssl.datasets import COCO81_CLASSES
    from mmssl.datasets.synthetic import (CITYSCAPES_TO_ADE20K,
                                          VOC_TO_COCO81)
    from mmssl.datasets.synthetic.voc import CLASSES as VOC
    ade = ADE20KDataset.METAINFO['classes']
    for cs, idx in CITYSCAPES_TO_ADE20K.items():
        if idx is not None:
            want = dict(vegetation='tree', terrain='grass', rider='person',
                        motorcycle='minibike').get(cs, cs)
            want = {'traffic sign': 'signboard'}.get(cs, want)
            assert ade[idx] == want, (cs, ade[idx])
    assert len(COCO81_CLASSES) == 81 and COCO81_CLASSES[0] == 'background'
    # the things in COCO category order (= the official util/classes.py
    # and mmseg's COCO-Stuff, whose first 80 classes are the things)
    assert COCO81_CLASSES[1:] == COCOStuffDataset.METAINFO['classes'][:80]
    for v, c in zip(VOC, VOC_TO_COCO81):
        assert (c == 0) == (v == 'background')
    # ADE20K: official names, values 0..149 + 255
    root = synthetic_ade20k_root
    for split, folder, n in (('train', 'training', 6),
                             ('val', 'validation', 2)):
        names = sorted(os.listdir(osp.join(root, 'images', folder)))
        assert names == [f'ADE_{split}_{i:08d}.jpg' for i in range(1, n + 1)]
        for f in names:
            lab = _read(osp.join(root, 'annotations', folder,
                                 f[:-4] + '.png'))
            img = _read(osp.join(root, 'images', folder, f))
            assert lab.dtype == np.uint8 and lab.shape == img.shape[:2]
            vals = np.unique(lab)
            assert ((vals < 150) | (vals == 255)).all()
    # COCO: 12-digit ids, disjoint train / val, masks 0..80 in one folder
    root = synthetic_coco_root
    tr = sorted(os.listdir(osp.join(root, 'train2017')))
    va = sorted(os.listdir(osp.join(root, 'val2017')))
    assert len(tr) == 6 and len(va) == 2 and not set(tr) & set(va)
    assert all(len(f) == len('000000000139.jpg') for f in tr + va)
    masks = sorted(os.listdir(osp.join(root, 'masks')))
    assert masks == sorted(f[:-4] + '.png' for f in tr + va)
    seen = set()
    for f in masks:
        vals = np.unique(_read(osp.join(root, 'masks', f)))
        assert (vals <= 80).all()
        seen.update(vals.tolist())
    assert 0 in seen and len(seen) > 1


def test_generation_stamp_and_no_extra(tmp_path):
    from mmssl.datasets.synthetic import generate_dataset
    kw = dict(num_train=1, num_val=1, num_extra=5, size=(32, 24))
    res = generate_dataset(str(tmp_path), 'coco', **kw)
    assert res['counts'] == dict(train=1, val=1)
    assert res['root'] == osp.join(str(tmp_path), 'coco')
    assert generate_dataset(str(tmp_path), 'coco', **kw)['skipped']


def test_ade20k_challenge_annotations_read_the_same(
        synthetic_ade20k_root, tmp_path):
    """Raw ADEChallengeData2016 labels (0 = other, 1..150) with mmseg's
    reduce_zero_label=True give UniMatch V2's preprocessed labels."""
    from mmssl.datasets.synthetic import generate_dataset
    from mmssl.datasets.transforms import LoadCheckedAnnotations
    res = generate_dataset(str(tmp_path), 'ade20k', seed=0, num_train=2,
                           num_val=0, size=(64, 48), annotations='challenge')
    for i in (1, 2):
        rel = f'annotations/training/ADE_train_{i:08d}.png'
        out = []
        for root, reduce in ((res['root'], True),
                             (synthetic_ade20k_root, False)):
            r = LoadCheckedAnnotations(num_classes=150)(
                dict(seg_map_path=osp.join(root, rel),
                     reduce_zero_label=reduce, seg_fields=[]))
            out.append(r['gt_seg_map'])
        np.testing.assert_array_equal(out[0], out[1])


# ------------------------------------------------------ dataset configs
def _cfg(name, root, split_dir=None):
    cfg = Config.fromfile(osp.join(CFG_DIR, f'unimatch_v2_{name}.py'))
    tr = cfg.train_dataloader.dataset
    for part in ('labeled', 'unlabeled'):
        tr[part].data_root = root
        if split_dir is not None:
            tr[part].ann_file = osp.join(split_dir, f'{part}.txt')
    cfg.val_dataloader.dataset.data_root = root
    return cfg


def _splits(root, dataset, tmp_path):
    out = str(tmp_path / dataset)
    write_splits(root, dataset, custom_regimes(dataset, [2]), 1, 0, out)
    return osp.join(out, '2', 'split0')


OFFICIAL_CFG = {  # crop, per-GPU labeled (= unlabeled) batch, classes
    'ade20k': (518, 2, 150),
    'coco': (518, 4, 81),
    'voc12': (518, 4, 21),
    'cityscapes': (798, 2, 19),
}


@pytest.mark.parametrize('name', sorted(OFFICIAL_CFG))
def test_v2_dataset_configs_load_generated_data(
        name, synthetic_ade20k_root, synthetic_coco_root, synthetic_voc_root,
        synthetic_cityscapes_root, tmp_path):
    from mmseg.registry import DATASETS
    dataset = dict(voc12='voc').get(name, name)
    root = dict(
        ade20k=synthetic_ade20k_root,
        coco=synthetic_coco_root,
        voc12=synthetic_voc_root,
        cityscapes=synthetic_cityscapes_root)[name]
    cfg = _cfg(name, root, _splits(root, dataset, tmp_path))
    crop, per_gpu, ncls = OFFICIAL_CFG[name]
    dl = cfg.train_dataloader
    assert dl.batch_size == 2 * per_gpu
    assert dl.sampler.batch_size == 2 * per_gpu
    assert dl.sampler.num_labeled == per_gpu
    views = dl.dataset.unlabeled.pipeline[-1]
    assert views.crop_size == (crop, crop) and views.crop_relation == 'same'
    assert views.resize == dict(type='RandomLongSideRescale',
                                ratio_range=(0.5, 2.0))
    assert [t.type for t in views.strong[:3]] == [
        'ColorJitter', 'RandomGrayscale', 'PILGaussianBlur']
    assert views.strong2 == views.strong
    ds = DATASETS.build(dl.dataset)
    assert len(ds.labeled) == 2 and len(ds.unlabeled) >= 1
    assert len(ds.labeled.metainfo['classes']) == ncls
    for idx, labeled in ((0, True), (len(ds) - 1, False)):
        out = ds[idx]
        assert set(out['inputs']) == {'weak', 'strong', 'strong2'}
        for v in ('weak', 'strong', 'strong2'):
            img = out['inputs'][v]
            assert img.shape[0] == 3 and max(img.shape[1:]) <= crop
            gt = out['data_samples'][v].gt_sem_seg.data
            assert tuple(gt.shape[1:]) == tuple(img.shape[1:])
            vals = set(gt.unique().tolist())
            if labeled:
                assert all(x < ncls or x == 255 for x in vals)
            else:
                assert vals <= {254, 255}
    val = DATASETS.build(cfg.val_dataloader.dataset)
    out = val[0]
    img, gt = out['inputs'], out['data_samples'].gt_sem_seg.data
    ori = out['data_samples'].ori_shape
    assert tuple(gt.shape[1:]) == tuple(ori)
    vals = gt.unique()
    assert ((vals < ncls) | (vals == 255)).all()
    if name == 'cityscapes':  # sliding window on the whole image
        assert tuple(img.shape[1:]) == tuple(ori)
    else:
        assert img.shape[1] % 14 == 0 and img.shape[2] % 14 == 0
        assert abs(img.shape[1] - ori[0]) <= 7
        assert abs(img.shape[2] - ori[1]) <= 7


@pytest.mark.parametrize('name,bad', [('ade20k', 150), ('coco', 81)])
def test_bad_label_value_names_the_file(name, bad, synthetic_ade20k_root,
                                        synthetic_coco_root, tmp_path):
    from mmseg.registry import DATASETS
    src = dict(ade20k=synthetic_ade20k_root, coco=synthetic_coco_root)[name]
    root = str(tmp_path / name)
    shutil.copytree(src, root)
    ds = DATASETS.build(_cfg(name, root).val_dataloader.dataset)
    path = ds.get_data_info(0)['seg_map_path']
    lab = _read(path)
    lab[0, 0] = bad
    cv2.imwrite(path, lab)
    msg = re.escape(f'{path} has values [{bad}] outside the valid labels '
                    f'0..{bad - 1}')
    with pytest.raises(ValueError, match=msg):
        ds[0]


# ---------------------------------------------------------- transforms
def test_resize_to_nearest_multiple_rounds_like_the_official():
    import torch
    import torch.nn.functional as F
    from mmseg.datasets.transforms import ResizeToMultiple

    from mmssl.datasets.transforms import ResizeToNearestMultiple
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (300, 500, 3)).astype(np.uint8)
    out = ResizeToNearestMultiple(14)(dict(img=img.copy()))
    # official: int(300 / 14 + 0.5) * 14 = 294, int(500 / 14 + 0.5) * 14
    assert out['img'].shape == (294, 504, 3)
    assert out['img_shape'] == (294, 504)
    ref = F.interpolate(
        torch.from_numpy(img).permute(2, 0, 1)[None].float(), (294, 504),
        mode='bilinear', align_corners=True)[0].permute(1, 2, 0).numpy()
    np.testing.assert_allclose(out['img'], ref, atol=1e-4)
    stock = ResizeToMultiple(size_divisor=14)(dict(img=img.copy()))
    assert stock['img'].shape[:2] == (308, 504)  # mmseg rounds up
    assert ResizeToNearestMultiple(14).target_size(5, 14) == (14, 14)
    with pytest.raises(ValueError, match='load the annotations after'):
        ResizeToNearestMultiple(14)(
            dict(img=img, gt_seg_map=np.zeros((300, 500), np.uint8)))


def test_random_long_side_rescale_matches_the_official_draw():
    from mmssl.datasets.transforms import RandomLongSideRescale
    t = RandomLongSideRescale(ratio_range=(0.5, 2.0))
    np.random.seed(0)
    longs = set()
    for h, w in ((40, 100), (100, 40), (51, 77)):
        for _ in range(20):
            img = np.zeros((h, w, 3), np.uint8)
            r = t(dict(img=img, gt_seg_map=np.zeros((h, w), np.uint8),
                       seg_fields=['gt_seg_map']))
            nh, nw = r['img'].shape[:2]
            L, n = max(h, w), max(nh, nw)
            assert int(L * 0.5) <= n <= int(L * 2.0)
            short = int(min(h, w) * n / L + 0.5)  # transform.py:47-52
            assert min(nh, nw) == short and (nh > nw) == (h > w)
            assert r['gt_seg_map'].shape == (nh, nw)
            assert r['homography_matrix'][0, 0] == pytest.approx(nw / w)
            longs.add(n / L)
    assert min(longs) < 0.7 and max(longs) > 1.7

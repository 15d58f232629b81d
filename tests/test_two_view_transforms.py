"""Two-view transforms: SemiViews (crop relations, scales, output format,
collation), Cutout, Exact* magnitudes and the pipeline config files."""
import copy

import cv2
import numpy as np
import pytest
import torch
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

import mmssl  # noqa: F401  (registers mmssl transforms)
from mmseg.registry import MODELS, TRANSFORMS
from mmseg.structures import SegDataSample
from mmssl.datasets.transforms import Cutout, SemiViews
from mmssl.models.utils import relative_homography, warp_labels

H, W = 96, 128
PIPELINES = 'configs/_base_/datasets/pipelines/'
PACK = dict(
    type='PackSegInputs',
    meta_keys=('img_path', 'seg_map_path', 'ori_shape', 'img_shape',
               'scale_factor', 'flip', 'flip_direction', 'reduce_zero_label',
               'homography_matrix', 'is_labeled'))
RESIZE = dict(
    type='RandomResize',
    scale=(W, H),
    ratio_range=(0.5, 2.0),
    keep_ratio=True,
    resize_type='ExactResize')


@pytest.fixture(scope='module')
def loaded(tmp_path_factory):
    """128x96 sample loaded by mmseg's loaders; labels: 16x16 blocks."""
    init_default_scope('mmseg')
    d = tmp_path_factory.mktemp('two_view')
    rng = np.random.RandomState(0)
    labels = np.kron(
        rng.randint(0, 19, (H // 16, W // 16)), np.ones(
            (16, 16), np.int64)).astype(np.uint8)
    img = (rng.rand(H, W, 3) * 200 + 20).astype(np.uint8)
    cv2.imwrite(str(d / 'img.png'), img)
    cv2.imwrite(str(d / 'lab.png'), labels)
    load = Compose(
        [dict(type='LoadImageFromFile'),
         dict(type='LoadAnnotations')])
    results = load(
        dict(
            img_path=str(d / 'img.png'),
            seg_map_path=str(d / 'lab.png'),
            reduce_zero_label=False,
            seg_fields=[]))
    results['is_labeled'] = False
    return results


def semi_views(**kwargs):
    kwargs.setdefault('weak', [PACK])
    kwargs.setdefault('strong', [PACK])
    kwargs.setdefault('crop_size', (48, 64))
    return SemiViews(**kwargs)


def crop_regions(views, weak, strong):
    """Regions of the two crops in original-image coordinates."""
    return [
        views._regions(v, v['img'].shape[:2], np.zeros((1, 2)))[0]
        for v in (weak, strong)
    ]


# ------------------------------------------------------------- SemiViews
def test_output_format_like_multibranch(loaded):
    views = semi_views(weak=[dict(type='mmdet.RandomFlip', prob=0.5), PACK])
    out = views(copy.deepcopy(loaded))
    assert set(out) == {'inputs', 'data_samples'}
    for branch in ('weak', 'strong'):
        img = out['inputs'][branch]
        sample = out['data_samples'][branch]
        assert isinstance(img, torch.Tensor) and img.shape == (3, 48, 64)
        assert isinstance(sample, SegDataSample)
        assert sample.gt_sem_seg.data.shape == (1, 48, 64)
        assert sample.homography_matrix.shape == (3, 3)
        assert sample.is_labeled is False
        assert tuple(sample.img_shape) == (48, 64)
        assert tuple(sample.ori_shape) == (H, W)
    # the packed image is the crop the homography describes
    hom = out['data_samples']['strong'].homography_matrix
    x0, y0 = -int(hom[0, 2]), -int(hom[1, 2])
    assert np.array_equal(out['inputs']['strong'].permute(1, 2, 0).numpy(),
                          loaded['img'][y0:y0 + 48, x0:x0 + 64])


def test_multibranch_preprocessor_collates_views(loaded):
    """mmdet MultiBranchDataPreprocessor around mmseg SegDataPreProcessor."""
    views = semi_views(resize=RESIZE, crop_size=(64, 64))
    np.random.seed(0)
    batch = pseudo_collate([views(copy.deepcopy(loaded)) for _ in range(4)])
    pre = MODELS.build(
        dict(
            type='mmdet.MultiBranchDataPreprocessor',
            data_preprocessor=dict(
                type='SegDataPreProcessor',
                mean=[123.675, 116.28, 103.53],
                std=[58.395, 57.12, 57.375],
                bgr_to_rgb=True,
                pad_val=0,
                seg_pad_val=255,
                size=(64, 64))))
    data = pre(batch, training=True)
    assert set(data['inputs']) == {'weak', 'strong'}
    for branch in ('weak', 'strong'):
        assert data['inputs'][branch].shape == (4, 3, 64, 64)
        assert data['inputs'][branch].dtype == torch.float32
        for sample, raw in zip(data['data_samples'][branch],
                               batch['data_samples'][branch]):
            h, w = raw.img_shape
            gt = sample.gt_sem_seg.data[0]
            assert tuple(sample.img_shape) == (h, w)  # real extent kept
            assert (gt[h:] == 255).all() and (gt[:, w:] == 255).all()
            assert torch.equal(gt[:h, :w], raw.gt_sem_seg.data[0])
            assert np.array_equal(sample.homography_matrix,
                                  raw.homography_matrix)
    # the collated views can be matched with padding accounted for
    weak, strong = data['data_samples']['weak'], data['data_samples']['strong']
    warped = warp_labels(
        torch.stack([s.gt_sem_seg.data[0] for s in weak]),
        [s.homography_matrix for s in weak],
        [s.homography_matrix for s in strong], (64, 64),
        src_valid_shapes=[s.img_shape for s in weak])
    strong_gt = torch.stack([s.gt_sem_seg.data[0] for s in strong])
    both = (warped != 255) & (strong_gt != 255)
    assert both.sum() > 0.25 * (strong_gt != 255).sum()
    assert (warped[both] == strong_gt[both]).float().mean() > 0.95


def test_same_crop_gives_identical_homographies(loaded):
    views = semi_views(resize=RESIZE, crop_relation='same')
    assert views.share_scale
    for seed in range(20):
        np.random.seed(seed)
        weak, strong = views.make_views(copy.deepcopy(loaded))
        assert np.array_equal(weak['homography_matrix'],
                              strong['homography_matrix'])
        assert np.array_equal(weak['img'], strong['img'])


@pytest.mark.parametrize('share_scale', [True, False])
@pytest.mark.parametrize('min_overlap', [0.3, 0.7, 1.0])
def test_overlap_satisfies_min_overlap(loaded, share_scale, min_overlap):
    views = semi_views(
        resize=RESIZE,
        crop_relation='overlap',
        min_overlap=min_overlap,
        share_scale=share_scale)
    overlaps = []
    for seed in range(100):
        np.random.seed(seed)
        weak, strong = views.make_views(copy.deepcopy(loaded))
        ov = SemiViews.overlap(*crop_regions(views, weak, strong))
        overlaps.append(ov)
    overlaps = np.array(overlaps)
    # equal sizes: exact; unequal scales: integer offsets cost < 3 %
    tol = 1e-6 if share_scale else 0.03
    assert overlaps.min() >= min_overlap - tol
    if min_overlap < 1:
        assert (overlaps < 1 - 1e-6).any()  # crops do differ


def test_any_crops_are_independent(loaded):
    views = semi_views(resize=RESIZE, crop_relation='any')
    overlaps = []
    for seed in range(100):
        np.random.seed(seed)
        weak, strong = views.make_views(copy.deepcopy(loaded))
        overlaps.append(SemiViews.overlap(*crop_regions(views, weak, strong)))
        assert weak['img'].shape[:2] == (min(48, weak['img'].shape[0]),
                                         min(64, weak['img'].shape[1]))
    overlaps = np.array(overlaps)
    assert (overlaps < 0.3).mean() > 0.1 and (overlaps > 0.7).any()


def test_independent_scales(loaded):
    views = semi_views(resize=RESIZE, crop_relation='any')
    assert not views.share_scale
    diff = []
    for seed in range(20):
        np.random.seed(seed)
        weak, strong = views.make_views(copy.deepcopy(loaded))
        diff.append(weak['scale_factor'][0] != strong['scale_factor'][0])
        assert 0.49 <= weak['scale_factor'][0] <= 2.01
    assert np.mean(diff) > 0.8
    shared = semi_views(resize=RESIZE, crop_relation='any', share_scale=True)
    for seed in range(10):
        np.random.seed(seed)
        weak, strong = shared.make_views(copy.deepcopy(loaded))
        assert weak['scale_factor'] == strong['scale_factor']


@pytest.mark.parametrize('kwargs, setting', [
    (dict(crop_relation='nearby'), 'crop_relation'),
    (dict(crop_relation='overlap', min_overlap=0.0), 'min_overlap'),
    (dict(crop_relation='overlap', min_overlap=1.5), 'min_overlap'),
    (dict(crop_relation='overlap', min_overlap=-0.2), 'min_overlap'),
    (dict(crop_relation='overlap', min_overlap='half'), 'min_overlap'),
    (dict(crop_relation='same', share_scale=False), 'share_scale'),
    (dict(crop_size=(0, 32)), 'crop_size'),
])
def test_bad_settings_raise(kwargs, setting):
    with pytest.raises(ValueError, match=setting):
        semi_views(**kwargs)


def test_resize_that_does_not_record_geometry_is_refused(loaded):
    views = semi_views(resize=dict(RESIZE, resize_type='Resize'))  # mmseg
    with pytest.raises(RuntimeError, match='homography_matrix'):
        np.random.seed(1)
        views(copy.deepcopy(loaded))


def test_small_views_are_cropped_to_their_size(loaded):
    views = semi_views(crop_size=(200, 300), crop_relation='any')
    out = views(copy.deepcopy(loaded))
    assert out['inputs']['weak'].shape == (3, H, W)
    assert np.array_equal(out['data_samples']['weak'].homography_matrix,
                          np.eye(3))


# ---------------------------------------------------------------- Cutout
def test_cutout_area_and_labels(loaded):
    cut = Cutout(area_range=(0.1, 0.3), img_border_value=0)
    results = copy.deepcopy(loaded)
    results['img'] = np.full((H, W, 3), 255, np.uint8)
    fractions = []
    for seed in range(200):
        np.random.seed(seed)
        r = cut(copy.deepcopy(results))
        fractions.append((r['img'][..., 0] == 0).mean())
        assert np.array_equal(r['gt_seg_map'], loaded['gt_seg_map'])
    fractions = np.array(fractions)
    assert fractions.min() >= 0.095 and fractions.max() <= 0.305
    assert fractions.min() < 0.13 and fractions.max() > 0.27  # spans range
    erase = Cutout(area_range=(0.2, 0.2), img_border_value=0, erase_seg=True)
    r = erase(copy.deepcopy(results))
    assert np.array_equal(r['img'][..., 0] == 0, r['gt_seg_map'] == 255)
    with pytest.raises(ValueError, match='area_range'):
        Cutout(area_range=(0.3, 0.1))


# ------------------------------------------------------ magnitude ranges
def _draw_mags(op_cfg, n=400):
    op = TRANSFORMS.build(op_cfg)
    np.random.seed(0)
    return np.array([op._get_mag() for _ in range(n)])


def test_randaugment_config_and_magnitudes():
    cfg = Config.fromfile(PIPELINES + 'dense_fixmatch_views.py')
    aug = cfg.strong_branch[0]
    assert aug.type == 'mmdet.RandAugment' and aug.aug_num == 2
    names = [op[0].type for op in aug.aug_space]
    assert sorted(names) == sorted([
        'mmdet.AutoContrast', 'mmdet.Equalize', 'mmdet.Invert',
        'mmdet.Solarize', 'mmdet.Posterize', 'mmdet.Color', 'mmdet.Contrast',
        'mmdet.Brightness', 'mmdet.Sharpness', 'ExactShearX', 'ExactShearY',
        'ExactTranslateX', 'ExactTranslateY', 'ExactRotate', 'mmdet.RandomFlip'
    ])
    ops = {op[0].type: op[0] for op in aug.aug_space}
    rot = _draw_mags(ops['ExactRotate'])
    assert np.abs(rot).max() <= 30 and np.abs(rot).max() > 28
    assert (rot < 0).any() and (rot > 0).any()
    for name in ('ExactShearX', 'ExactShearY'):
        deg = np.degrees(np.arctan(_draw_mags(ops[name])))
        assert np.abs(deg).max() <= 17 + 1e-6 and np.abs(deg).max() > 16
        assert (deg < 0).any()
    for name in ('ExactTranslateX', 'ExactTranslateY'):
        t = _draw_mags(ops[name])
        assert np.abs(t).max() <= 0.15 and np.abs(t).max() > 0.14
        assert len(np.unique(np.round(np.abs(t), 4))) > 50  # not 0 / 0.1
    for name in ('mmdet.Color', 'mmdet.Contrast', 'mmdet.Brightness',
                 'mmdet.Sharpness'):
        m = _draw_mags(ops[name])
        assert m.min() >= 0.1 and m.max() <= 1.9
        assert m.min() < 0.2 and m.max() > 1.8
    sol = _draw_mags(ops['mmdet.Solarize'])
    assert sol.min() >= 25.6 - 0.05 and sol.max() <= 256
    bits = np.ceil(_draw_mags(ops['mmdet.Posterize']))  # mmdet keeps ceil
    assert set(bits.astype(int)) == {4, 5, 6, 7, 8}
    flip = TRANSFORMS.build(ops['mmdet.RandomFlip'])
    assert flip.prob == 1.0 and flip.direction == 'horizontal'
    # Cutout as the paper: 10-30 % of the area, after RandAugment
    assert cfg.strong_branch[1].type == 'Cutout'
    assert tuple(cfg.strong_branch[1].area_range) == (0.1, 0.3)


def test_photometric_ops_do_not_move_pixels(loaded):
    cfg = Config.fromfile(PIPELINES + 'dense_fixmatch_views.py')
    for op in cfg.photometric_ops:
        r = TRANSFORMS.build(op[0])(copy.deepcopy(loaded))
        assert 'homography_matrix' not in r
        assert np.array_equal(r['gt_seg_map'], loaded['gt_seg_map'])


# --------------------------------------------------------- config files
def _views_from(cfg_name, **override):
    cfg = Config.fromfile(PIPELINES + cfg_name)
    views = dict(
        cfg.semi_views_unlabeled,
        crop_size=(48, 64),
        resize=dict(cfg.random_resize, scale=(W, H)),
        **override)
    return cfg, TRANSFORMS.build(views)


def test_dense_fixmatch_config_views(loaded):
    cfg, views = _views_from('dense_fixmatch_views.py')
    assert isinstance(views, SemiViews)
    assert views.crop_relation == 'overlap' and not views.share_scale
    assert cfg.semi_views_labeled.type == 'SemiViews'
    assert [t.type
            for t in cfg.weak_branch] == ['mmdet.RandomFlip', 'PackSegInputs']
    assert 'homography_matrix' in cfg.pack_view.meta_keys
    assert 'is_labeled' in cfg.pack_view.meta_keys
    photometric = cfg.strong_branch_photometric[0].aug_space
    assert not any(op[0].type.startswith('Exact') or 'Flip' in op[0].type
                   for op in photometric)
    moved = 0
    for seed in range(20):
        np.random.seed(seed)
        out = views(copy.deepcopy(loaded))
        weak = out['data_samples']['weak']
        strong = out['data_samples']['strong']
        rel = relative_homography(weak.homography_matrix,
                                  strong.homography_matrix)[0]
        moved += not torch.allclose(rel, torch.eye(3, dtype=rel.dtype))
    assert moved >= 18
    _, same = _views_from(
        'dense_fixmatch_views.py', crop_relation='same', share_scale=True)
    assert same.crop_relation == 'same'


def test_fixmatch_star_config_is_photometric_same_crop(loaded):
    cfg, views = _views_from('fixmatch_star_views.py')
    assert views.crop_relation == 'same' and views.share_scale
    assert [t.type for t in cfg.weak_branch] == ['PackSegInputs']
    for seed in range(20):
        np.random.seed(seed)
        out = views(copy.deepcopy(loaded))
        weak = out['data_samples']['weak']
        strong = out['data_samples']['strong']
        assert np.array_equal(weak.homography_matrix, strong.homography_matrix)
        assert torch.equal(weak.gt_sem_seg.data, strong.gt_sem_seg.data)


def test_supervised_aug_config(loaded):
    cfg = Config.fromfile(PIPELINES + 'supervised_aug.py')
    pipe = [dict(t) for t in cfg.supervised_aug]
    pipe[0]['scale'] = (W, H)
    pipe[1]['crop_size'] = (64, 48)  # mmdet RandomCrop: (w, h)
    pipe = Compose(pipe)
    orig = torch.from_numpy(loaded['gt_seg_map'].astype(np.int64))
    for seed in range(10):
        np.random.seed(seed)
        out = pipe(copy.deepcopy(loaded))
        sample = out['data_samples']
        h, w = sample.img_shape
        assert h <= 48 and w <= 64
        # the recorded geometry describes the labels exactly
        warped = warp_labels(orig, np.eye(3), sample.homography_matrix, (h, w))
        assert torch.equal(warped, sample.gt_sem_seg.data[0])

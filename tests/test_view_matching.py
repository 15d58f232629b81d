"""Matching op (warp_labels / warp_probs): exactness with the geometry
recorded by the real transforms, conventions, padding, dtypes.

Every view is produced by running the real transforms (mmseg loading, mmdet
flip/crop, mmssl Exact* ops, SemiViews) on a synthetic 128x96 image whose
label map has many small irregular regions of 19 classes. Warping the weak
view's ground truth into the strong view must reproduce the strong view's
ground truth wherever both are valid.

Run ``python tests/test_view_matching.py`` to print agreement per op.
"""
import copy

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmcv.transforms import Compose
from mmdet.datasets.transforms import Rotate, ShearX, ShearY
from mmengine.registry import init_default_scope

import mmssl  # noqa: F401  (registers mmssl transforms)
from mmssl.datasets.transforms import SemiViews
from mmssl.models.utils import (homography_grid, relative_homography,
                                warp_labels, warp_probs)

H, W = 96, 128
NUM_CLASSES = 19
META_KEYS = ('img_path', 'seg_map_path', 'ori_shape', 'img_shape',
             'scale_factor', 'flip', 'flip_direction', 'reduce_zero_label',
             'homography_matrix', 'is_labeled')
PACK = dict(type='PackSegInputs', meta_keys=META_KEYS)


def blocky_labels(seed, h=H, w=W, num_classes=NUM_CLASSES, cell=6):
    """Piecewise-constant labels on an irregular grid (cells of 1-11 px)."""
    rng = np.random.RandomState(seed)
    ys = np.sort(rng.choice(np.arange(1, h), h // cell, replace=False))
    xs = np.sort(rng.choice(np.arange(1, w), w // cell, replace=False))
    table = rng.randint(0, num_classes, (len(ys) + 1, len(xs) + 1))
    rows = np.searchsorted(ys, np.arange(h), side='right')
    cols = np.searchsorted(xs, np.arange(w), side='right')
    return table[rows][:, cols].astype(np.uint8)


def load_sample(directory):
    """A sample loaded by mmseg's loaders from PNG files, is_labeled set."""
    init_default_scope('mmseg')
    rng = np.random.RandomState(0)
    labels = blocky_labels(0)
    img = (rng.rand(H, W, 3) * 255).astype(np.uint8)
    cv2.imwrite(f'{directory}/img.png', img)
    cv2.imwrite(f'{directory}/lab.png', labels)
    load = Compose(
        [dict(type='LoadImageFromFile'),
         dict(type='LoadAnnotations')])
    results = load(
        dict(
            img_path=f'{directory}/img.png',
            seg_map_path=f'{directory}/lab.png',
            reduce_zero_label=False,
            seg_fields=[]))
    results['is_labeled'] = True
    assert np.array_equal(results['gt_seg_map'], labels)
    return results


@pytest.fixture(scope='module')
def loaded(tmp_path_factory):
    return load_sample(tmp_path_factory.mktemp('view_matching'))


def agreement(out):
    """Fraction of pixels where the weak gt warped into the strong view
    equals the strong gt (both valid), and the number compared."""
    weak, strong = out['data_samples']['weak'], out['data_samples']['strong']
    warped = warp_labels(
        weak.gt_sem_seg.data[0],
        weak.homography_matrix,
        strong.homography_matrix,
        dst_shape=strong.gt_sem_seg.data.shape[-2:])
    target = strong.gt_sem_seg.data[0]
    valid = (warped != 255) & (target != 255)
    return (warped[valid] == target[valid]).float().mean().item(), \
        int(valid.sum())


def run_views(results, seed, strong_ops, weak_ops=(), **kwargs):
    kwargs.setdefault('crop_size', (64, 80))
    kwargs.setdefault('crop_relation', 'any')
    views = SemiViews(
        weak=[*weak_ops, PACK], strong=[*strong_ops, PACK], **kwargs)
    np.random.seed(seed)
    return views(copy.deepcopy(results))


def measure(results, strong_ops, weak_ops=(), seeds=range(30), **kwargs):
    accs, counts = [], []
    for seed in seeds:
        acc, n = agreement(
            run_views(results, seed, strong_ops, weak_ops, **kwargs))
        accs.append(acc)
        counts.append(n)
    return np.array(accs), np.array(counts)


FLIP = dict(type='mmdet.RandomFlip', prob=1.0, direction='horizontal')
RESIZE = dict(
    type='RandomResize',
    scale=(W, H),
    ratio_range=(0.5, 2.0),
    keep_ratio=True,
    resize_type='ExactResize')

EXACT_CASES = {
    'flip':
    dict(strong_ops=[FLIP]),
    'flip_weak_and_strong':
    dict(strong_ops=[FLIP], weak_ops=[FLIP]),
    'crop_any':
    dict(strong_ops=[]),
    'crop_overlap':
    dict(strong_ops=[], crop_relation='overlap', min_overlap=0.3),
    'translate_x':
    dict(strong_ops=[dict(type='ExactTranslateX', min_mag=0.0, max_mag=0.15)]),
    'translate_y':
    dict(strong_ops=[dict(type='ExactTranslateY', min_mag=0.0, max_mag=0.15)]),
    'equal_scale':
    dict(
        strong_ops=[FLIP],
        resize=RESIZE,
        share_scale=True,
        crop_relation='overlap',
        min_overlap=0.5),
}
NEAR_EXACT_CASES = {  # paper-range rotations / shears, >= 98 % required
    'rotate': dict(type='ExactRotate', min_mag=0.0, max_mag=30.0),
    'shear_x': dict(type='ExactShearX', min_mag=0.0, max_mag=17.0),
    'shear_y': dict(type='ExactShearY', min_mag=0.0, max_mag=17.0),
}
GEOMETRIC_RANDAUGMENT = dict(
    type='mmdet.RandAugment',
    aug_num=2,
    aug_space=[[NEAR_EXACT_CASES['rotate']], [NEAR_EXACT_CASES['shear_x']],
               [NEAR_EXACT_CASES['shear_y']],
               EXACT_CASES['translate_x']['strong_ops'], [FLIP]])


@pytest.mark.parametrize('name', list(EXACT_CASES))
def test_exact_ops_reproduce_strong_gt(loaded, name):
    accs, counts = measure(loaded, **EXACT_CASES[name])
    assert counts.min() > 500  # not vacuous: views share many pixels
    assert accs.min() == 1.0, f'{name}: {accs.min():.4f}'


@pytest.mark.parametrize('name', list(NEAR_EXACT_CASES))
def test_rotation_and_shear_match(loaded, name):
    accs, counts = measure(
        loaded, [NEAR_EXACT_CASES[name]], [FLIP], seeds=range(40))
    assert counts.min() > 500
    assert accs.min() >= 0.98, f'{name}: {accs.min():.4f}'


def test_randaugment_geometric_chain(loaded):
    """Two chained geometric ops after an overlapping crop and a weak flip.

    The strong view's gt is then resampled (nearest) twice while the warp
    resamples once through the composed homography, so a few boundary
    pixels of the reference itself differ: lower bound on each sample,
    >= 98 % on average."""
    accs, counts = measure(
        loaded, [GEOMETRIC_RANDAUGMENT], [dict(FLIP, prob=0.5)],
        crop_relation='overlap',
        seeds=range(30))
    assert counts.min() > 300
    assert accs.min() >= 0.93 and accs.mean() >= 0.98


def test_exact_geometric_fixes_mmdet_convention(loaded):
    """mmdet records OpenCV pixel-centre matrices for Rotate/Shear; the
    Exact* ops record the pixel-edge ones and match (all but rare ties)."""
    for mmdet_cls, exact in [(Rotate, 'ExactRotate'), (ShearX, 'ExactShearX'),
                             (ShearY, 'ExactShearY')]:
        accs_exact, _ = measure(
            loaded, [
                dict(
                    type=exact,
                    min_mag=10.0,
                    max_mag=30.0 if exact == 'ExactRotate' else 17.0)
            ],
            seeds=range(10))
        accs_mmdet, _ = measure(
            loaded, [
                dict(
                    type='mmdet.' + mmdet_cls.__name__,
                    min_mag=10.0,
                    max_mag=30.0 if mmdet_cls is Rotate else 17.0)
            ],
            seeds=range(10))
        # exact up to OpenCV's fixed-point (1/1024 px) coordinates
        assert accs_exact.min() >= 0.999
        assert accs_exact.mean() > accs_mmdet.mean() + 0.005


def test_exact_resize_labels_follow_homography(loaded):
    """Original -> rescaled view through the recorded homography equals the
    rescaled gt at any scale (mmdet's cv2 nearest drifts half a pixel)."""
    orig = torch.from_numpy(loaded['gt_seg_map'].astype(np.int64))
    from mmssl.datasets.transforms import ExactResize
    # 1.9453 gives odd sizes (249x187): the middle pixel is an exact tie
    for s in (0.5, 0.77, 1.3, 1.62, 1.9453125, 2.0):
        r = ExactResize(scale_factor=s, keep_ratio=True)(copy.deepcopy(loaded))
        warped = warp_labels(orig, np.eye(3), r['homography_matrix'],
                             r['gt_seg_map'].shape)
        agree = (warped.numpy() == r['gt_seg_map']).mean()
        assert agree == 1.0, (s, agree)
        assert r['gt_seg_map'].shape == r['img'].shape[:2]


def test_unequal_scales_limited_by_resolution(loaded):
    """Independent scales (0.5-2.0): resampling limits agreement (~93 % on
    these 1-11 px regions; a view below scale 1 drops thin regions), and
    every disagreement is explained by it: the warped label is the original
    label within the two views' half-pixel uncertainty of the point, i.e.
    within ``0.5 / s_weak + 0.5 / s_strong`` original pixels."""
    orig = loaded['gt_seg_map']
    accs = []
    for seed in range(30):
        out = run_views(
            loaded,
            seed, [],
            resize=RESIZE,
            share_scale=False,
            crop_relation='overlap',
            min_overlap=0.5)
        weak = out['data_samples']['weak']
        strong = out['data_samples']['strong']
        target = strong.gt_sem_seg.data[0]
        warped = warp_labels(weak.gt_sem_seg.data[0], weak.homography_matrix,
                             strong.homography_matrix, target.shape)
        valid = (warped != 255) & (target != 255)
        assert valid.sum() > 200
        accs.append((warped[valid] == target[valid]).float().mean().item())
        radius = int(
            np.ceil(0.5 / weak.scale_factor[0] + 0.5 / strong.scale_factor[0]))
        to_orig = np.linalg.inv(strong.homography_matrix.astype(np.float64))
        for y, x in torch.nonzero(valid & (warped != target)).tolist():
            px, py, _ = to_orig @ np.array([x + 0.5, y + 0.5, 1.0])
            px, py = int(np.floor(px)), int(np.floor(py))
            window = orig[max(py - radius, 0):py + radius + 1,
                          max(px - radius, 0):px + radius + 1]
            assert (window == int(warped[y, x])).any(), (seed, y, x)
    assert np.mean(accs) > 0.88


def test_fixmatch_star_matching_is_identity(loaded):
    from mmengine.config import Config
    cfg = Config.fromfile(
        'configs/_base_/datasets/pipelines/fixmatch_star_views.py')
    views = dict(
        cfg.semi_views_unlabeled,
        crop_size=(64, 80),
        resize=dict(cfg.random_resize, scale=(W, H)))
    pipe = Compose([views])
    for seed in range(15):
        np.random.seed(seed)
        out = pipe(copy.deepcopy(loaded))
        weak = out['data_samples']['weak']
        strong = out['data_samples']['strong']
        rel = relative_homography(weak.homography_matrix,
                                  strong.homography_matrix)
        assert torch.allclose(rel[0], torch.eye(3, dtype=torch.float64))
        assert torch.equal(weak.gt_sem_seg.data, strong.gt_sem_seg.data)
        acc, n = agreement(out)
        assert acc == 1.0 and n == weak.gt_sem_seg.data.numel()


def test_round_trip_view_original_view(loaded):
    """weak view -> original -> weak view reproduces the view (scale >= 1
    so the original resolution loses nothing) except in original pixels cut
    by the crop edge (their centre is outside the view: ignore), and
    original -> view reproduces the view's gt."""
    orig = torch.from_numpy(loaded['gt_seg_map'].astype(np.int64))
    resize = dict(RESIZE, ratio_range=(1.0, 2.0))
    for seed in range(15):
        out = run_views(
            loaded, seed, [], [dict(FLIP, prob=0.5)], resize=resize)
        view = out['data_samples']['weak']
        gt = view.gt_sem_seg.data[0]
        hom = view.homography_matrix
        to_orig = warp_labels(gt, hom, np.eye(3), (H, W))
        back = warp_labels(to_orig, np.eye(3), hom, gt.shape)
        kept = back != 255
        assert torch.equal(back[kept], gt[kept])
        # only view pixels in original pixels cut by the crop edge are lost
        band = int(np.ceil(view.scale_factor[0]))
        assert kept[band:-band, band:-band].all()
        assert torch.equal(warp_labels(orig, np.eye(3), hom, gt.shape), gt)
        # pixels of the original outside the crop are ignore
        covered = (to_orig != 255).float().mean().item()
        assert 0 < covered < 1


def test_outside_source_becomes_ignore_and_ignore_stays():
    labels = torch.from_numpy(blocky_labels(1).astype(np.int64))
    labels[:10, :10] = 255
    shift = np.array([[1, 0, 20], [0, 1, -7], [0, 0, 1]], np.float64)
    out = warp_labels(labels, np.eye(3), shift, (H, W), ignore_index=255)
    assert (out[:, :20] == 255).all()  # came from x < 0
    assert (out[H - 7:] == 255).all()  # came from y >= H
    assert torch.equal(out[:H - 7, 20:], labels[7:, :W - 20])
    assert (out[:3, 20:30] == 255).all()  # source ignore stays ignore
    out = warp_labels(labels, np.eye(3), shift, (H, W), ignore_index=-1)
    assert (out[:, :20] == -1).all()


def test_batch_padding_respects_src_valid_shapes():
    """Two views of different real sizes padded into one batch."""
    a = torch.from_numpy(blocky_labels(2, 80, 100).astype(np.int64))
    b = torch.from_numpy(blocky_labels(3, 60, 128).astype(np.int64))
    batch = torch.full((2, 80, 128), 19, dtype=torch.long)  # pad: class 19
    batch[0, :80, :100] = a
    batch[1, :60, :128] = b
    flip_a = np.array([[-1, 0, 100], [0, 1, 0], [0, 0, 1]], np.float64)
    flip_b = np.array([[-1, 0, 128], [0, 1, 0], [0, 0, 1]], np.float64)
    shift = np.array([[1, 0, -30], [0, 1, 10], [0, 0, 1]], np.float64)
    dst = [shift @ flip_a, shift @ flip_b]
    out = warp_labels(
        batch, [np.eye(3)] * 2,
        dst, (80, 128),
        src_valid_shapes=[(80, 100), (60, 128)])
    for i, (lab, d) in enumerate(zip((a, b), dst)):
        single = warp_labels(lab, np.eye(3), d, (80, 128))
        assert torch.equal(out[i], single)
    assert not (out == 19).any()  # padding never leaks
    probs = F.one_hot(batch, 20).permute(0, 3, 1, 2).float()
    warped, valid = warp_probs(
        probs, [np.eye(3)] * 2,
        dst, (80, 128),
        src_valid_shapes=[(80, 100), (60, 128)])
    assert torch.equal(valid, out != 255)
    assert (warped[:, 19] == 0).all()  # bilinear never blends padding


def test_probs_bilinear_agree_with_labels_on_argmax(loaded):
    """Warping one-hot maps bilinearly and taking the argmax agrees with
    nearest label warping: exactly for flips/crops/translations, and on
    >= 98 % of pixels for rotations and shears."""
    cases = [([FLIP], 1.0),
             ([EXACT_CASES['translate_x']['strong_ops'][0]], 1.0),
             ([NEAR_EXACT_CASES['rotate']], 0.98),
             ([NEAR_EXACT_CASES['shear_x']], 0.98)]
    for ops, required in cases:
        for seed in range(8):
            out = run_views(loaded, seed, ops, [dict(FLIP, prob=0.5)])
            weak = out['data_samples']['weak']
            strong = out['data_samples']['strong']
            gt = weak.gt_sem_seg.data  # [1, h, w]
            probs = F.one_hot(gt, NUM_CLASSES).permute(0, 3, 1, 2).double()
            shape = strong.gt_sem_seg.data.shape[-2:]
            warped, valid = warp_probs(probs, weak.homography_matrix,
                                       strong.homography_matrix, shape)
            labels = warp_labels(gt[0], weak.homography_matrix,
                                 strong.homography_matrix, shape)
            assert torch.equal(valid[0], labels != 255)
            assert torch.allclose(
                warped.sum(1)[valid], torch.ones(1, dtype=torch.float64))
            agree = (warped.argmax(1)[0] == labels)[valid[0]].float().mean()
            assert agree >= required, (ops, seed, agree)


def test_sampling_at_pixel_centres():
    """2x downscale: destination pixel x samples source 2x+1 (its centre
    2x+1 in edge coordinates), not 2x."""
    src = torch.arange(16).view(1, 1, 16).expand(1, 4, 16).contiguous()
    half = np.diag([0.5, 1.0, 1.0])
    out = warp_labels(src[0], np.eye(3), half, (4, 8))
    assert out[0].tolist() == [1, 3, 5, 7, 9, 11, 13, 15]
    u, v = homography_grid(np.eye(3), half, (4, 8))
    assert u[0, 0].tolist() == [1.0, 3.0, 5.0, 7.0, 9.0, 11.0, 13.0, 15.0]
    assert v[0, :, 0].tolist() == [0.5, 1.5, 2.5, 3.5]


def test_homography_input_types_and_relative():
    rng = np.random.RandomState(0)
    # entries exact in float32, so every input type gives the same matrix
    src = np.array([[1.25, 0.125, -5], [-0.25, 0.875, 3], [0, 0, 1]])
    dst = np.array([[-1, 0, 50], [0, 1.5, -2], [0, 0, 1]])
    rel = relative_homography(src, dst)
    assert rel.dtype == torch.float64 and rel.shape == (1, 3, 3)
    assert torch.allclose(rel[0] @ torch.from_numpy(src),
                          torch.from_numpy(dst).double())
    labels = torch.from_numpy(rng.randint(0, 19, (2, 40, 50)))
    ref = warp_labels(labels, [src, src], [dst, dst], (30, 60))
    variants = [
        (np.stack([src, src]), np.stack([dst, dst])),
        (torch.from_numpy(np.stack([src, src])).float(),
         torch.from_numpy(np.stack([dst, dst])).float()),
        ([torch.from_numpy(src).float()] * 2, [dst.astype(np.float32)] * 2),
        (src, dst),  # one matrix broadcast over the batch
    ]
    for s, d in variants:
        assert torch.equal(warp_labels(labels, s, d, (30, 60)), ref)
    with pytest.raises(ValueError):
        warp_labels(labels, [src] * 3, [dst] * 3, (30, 60))


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_cuda_matches_cpu():
    labels = torch.from_numpy(blocky_labels(4).astype(np.int64))[None]
    rot = np.array([[0.9, -0.3, 20], [0.3, 0.9, -10], [0, 0, 1]])
    cpu = warp_labels(labels, np.eye(3), rot, (H, W))
    gpu = warp_labels(labels.cuda(), np.eye(3), rot, (H, W))
    assert gpu.device.type == 'cuda' and torch.equal(gpu.cpu(), cpu)
    probs = F.one_hot(labels, 19).permute(0, 3, 1, 2).float()
    p_cpu, v_cpu = warp_probs(probs, np.eye(3), rot, (H, W))
    p_gpu, v_gpu = warp_probs(probs.cuda().half(), np.eye(3), rot, (H, W))
    assert torch.equal(v_gpu.cpu(), v_cpu)
    assert (p_gpu.float().cpu() - p_cpu).abs().max() < 1e-2


def test_no_grad_and_speed():
    probs = torch.rand(4, 19, 256, 256, requires_grad=True)
    rot = np.array([[0.9, -0.3, 20], [0.3, 0.9, -10], [0, 0, 1]])
    warped, _ = warp_probs(probs, np.eye(3), rot)
    assert not warped.requires_grad
    import time
    labels = torch.randint(0, 19, (8, 256, 256))
    start = time.perf_counter()
    warp_labels(labels, np.eye(3), rot)
    assert time.perf_counter() - start < 2.0  # vectorised, no pixel loops


if __name__ == '__main__':
    import tempfile

    res = load_sample(tempfile.mkdtemp())
    for name, case in EXACT_CASES.items():
        accs, counts = measure(res, seeds=range(100), **case)
        print(f'{name:24s} mean {accs.mean():.4f} min {accs.min():.4f} '
              f'(pixels compared: mean {counts.mean():.0f})')
    for name, op in NEAR_EXACT_CASES.items():
        accs, _ = measure(res, [op], [FLIP], seeds=range(100))
        mmdet_op = dict(op, type='mmdet.' + op['type'][len('Exact'):])
        accs_m, _ = measure(res, [mmdet_op], [FLIP], seeds=range(100))
        print(f'{name:24s} mean {accs.mean():.4f} min {accs.min():.4f}'
              f' | mmdet op: mean {accs_m.mean():.4f} '
              f'min {accs_m.min():.4f}')
    accs, _ = measure(
        res, [GEOMETRIC_RANDAUGMENT], [dict(FLIP, prob=0.5)],
        crop_relation='overlap',
        seeds=range(100))
    print(f'2 chained geometric ops  mean {accs.mean():.4f} '
          f'min {accs.min():.4f}')
    for label, kw in [('unequal scales 0.5-2', dict(resize=RESIZE)),
                      ('  same, mmdet.Resize',
                       dict(resize=dict(RESIZE, resize_type='mmdet.Resize'))),
                      ('equal scale, mmdet.Resize',
                       dict(
                           resize=dict(RESIZE, resize_type='mmdet.Resize'),
                           share_scale=True))]:
        accs, _ = measure(
            res, [], crop_relation='overlap', seeds=range(100), **kw)
        print(f'{label:24s} mean {accs.mean():.4f} min {accs.min():.4f}')


def _grid_spy(monkeypatch):
    """Counts the general path's sampling grids in ``warp_labels``."""
    from mmssl.models.utils import view_matching
    calls = []
    general = view_matching._grid_from

    def spy(*args, **kwargs):
        calls.append(1)
        return general(*args, **kwargs)

    monkeypatch.setattr(view_matching, '_grid_from', spy)
    return calls


def _general(monkeypatch, *args, **kwargs):
    """``warp_labels`` forced down its general (grid) path."""
    from mmssl.models.utils import view_matching
    with monkeypatch.context() as m:
        m.setattr(view_matching, '_force_general_path', True)
        return warp_labels(*args, **kwargs)


def _shared_homographies(n, seed):
    """Views' original -> view maps as transforms record them (float32,
    scale, flip, crop offset), one per sample."""
    rng = np.random.RandomState(seed)
    mats = []
    for _ in range(n):
        s = rng.uniform(0.3, 2.7)
        flip = np.array([[-1, 0, 101], [0, 1, 0], [0, 0, 1]], np.float64)
        scale = np.diag([s, s * rng.uniform(0.9, 1.1), 1.0])
        crop = np.array([[1, 0, -rng.randint(0, 900)],
                         [0, 1, -rng.randint(0, 600)], [0, 0, 1]],
                        np.float64)
        mat = crop @ scale @ (flip if rng.rand() < 0.5 else np.eye(3))
        mats.append(mat.astype(np.float32))
    return mats


def test_identity_fast_path_equals_general_path(monkeypatch):
    """Shared geometry (identity, or the same recorded homography on both
    sides): the fast path returns bit for bit what the grid path returns,
    padding and ignored pixels included, for every dtype and layout."""
    calls = _grid_spy(monkeypatch)
    batch = torch.full((3, 80, 128), 19, dtype=torch.long)  # pad: class 19
    shapes = [(80, 100), (60, 128), (80, 128)]
    for i, (h, w) in enumerate(shapes):
        batch[i, :h, :w] = torch.from_numpy(
            blocky_labels(10 + i, h, w).astype(np.int64))
    batch[0, :10, :10] = 255  # ignored source pixels stay ignored
    conf = torch.rand(batch.shape)
    eye = [np.eye(3)] * 3
    shared = _shared_homographies(3, 0)
    cases = [
        (batch, eye, eye, shapes, 255),
        (batch, shared, shared, shapes, 255),
        (batch, shared, torch.from_numpy(np.stack(shared)), shapes, 255),
        (batch, np.eye(3), eye, shapes, 255),  # broadcast single matrix
        (batch, torch.eye(3), torch.eye(3), None, 255),
        (batch.to(torch.uint8), shared, shared, shapes, 250),
        (conf, shared, shared, shapes, 0),  # confidence, as matched
        (batch, shared, shared, [(90, 200)] * 3, 255),  # clamped to H, W
    ]
    for labels, src, dst, valid_shapes, ignore in cases:
        calls.clear()
        fast = warp_labels(
            labels, src, dst, labels.shape[-2:],
            src_valid_shapes=valid_shapes, ignore_index=ignore)
        assert not calls, 'identity must not build a sampling grid'
        general = _general(
            monkeypatch, labels, src, dst, labels.shape[-2:],
            src_valid_shapes=valid_shapes, ignore_index=ignore)
        assert calls
        assert fast.dtype == general.dtype == labels.dtype
        assert fast.shape == general.shape
        assert torch.equal(fast, general)
        assert fast.data_ptr() != labels.data_ptr()  # callers write into it
    # padding became ignore, never class 19
    fast = warp_labels(batch, shared, shared, src_valid_shapes=shapes)
    assert not (fast == 19).any()
    assert (fast[0, :, 100:] == 255).all() and (fast[1, 60:] == 255).all()
    assert torch.equal(fast[2], batch[2])
    # 2-D labels (a batch of one), dst_shape defaulting to the source size
    calls.clear()
    single = warp_labels(batch[1], shared[1], shared[1],
                         src_valid_shapes=[shapes[1]])
    assert not calls
    assert torch.equal(
        single,
        _general(monkeypatch, batch[1], shared[1], shared[1],
                 src_valid_shapes=[shapes[1]]))


def test_non_identity_takes_general_path(monkeypatch):
    """One sample whose views differ (a flip), or another output size,
    sends the whole batch down the general path."""
    calls = _grid_spy(monkeypatch)
    labels = torch.from_numpy(
        np.stack([blocky_labels(s) for s in (4, 5)]).astype(np.int64))
    flip = np.array([[-1, 0, W], [0, 1, 0], [0, 0, 1]], np.float64)
    out = warp_labels(labels, [np.eye(3)] * 2, [np.eye(3), flip])
    assert calls
    assert torch.equal(out[0], labels[0])
    assert torch.equal(out[1], labels[1].flip(-1))
    calls.clear()
    shared = _shared_homographies(2, 1)
    out = warp_labels(labels, shared, shared, (H + 1, W))
    assert calls and out.shape == (2, H + 1, W)
    assert torch.equal(out[:, :H], labels) and (out[:, H] == 255).all()

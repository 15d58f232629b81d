"""Box pseudo-labels: a box projected from the weak to the strong view with
the recorded homographies (``project_boxes``, mmdet ``bbox_project``)
against the strong view's own ground-truth box, which mmdet's transforms
moved independently, through the real config pipelines (SemiViews from
configs/_base_/datasets/semi_multitask_cityscapes.py) on generated data."""
import numpy as np
import pytest
import torch
from mmdet.structures.bbox import bbox_overlaps

from multitask_helpers import data_config, views_dataset

IMG_HW = (128, 256)


@pytest.fixture(scope='module')
def mt_data(tmp_path_factory):
    from mmssl.datasets.converters import convert_cityscapes_boxes
    from mmssl.datasets.synthetic import generate_dataset
    base = tmp_path_factory.mktemp('mt_boxes')
    root = generate_dataset(str(base / 'gen'), 'cityscapes', seed=3,
                            num_train=6, num_val=1, num_extra=0,
                            size=(IMG_HW[1], IMG_HW[0]), num_cities=2)['root']
    ann = str(base / 'ann')
    convert_cityscapes_boxes(root, out_dir=ann)
    return root, ann


def _views(strong_ops=(), crop_hw=(256, 512), relation='same', resize=None,
           weak_ops=()):
    cfg = data_config()
    pack = dict(cfg.pack_multitask)
    return dict(
        type='SemiViews',
        weak=list(weak_ops) + [pack],
        strong=list(strong_ops) + [pack],
        crop_size=crop_hw,
        resize=resize,
        crop_relation=relation,
        share_scale=resize is None or relation == 'same')


def _pairs(ds, reps):
    """(weak sample, strong sample, original boxes) over the dataset,
    ``reps`` random draws each."""
    np.random.seed(0)
    for _ in range(reps):
        for i in range(len(ds)):
            out = ds[i]['data_samples']
            yield out['weak'], out['strong'], torch.tensor(
                [d['bbox'] for d in ds.get_data_info(i)['instances']],
                dtype=torch.float32).reshape(-1, 4)


def _project(weak, strong):
    from mmssl.models.multitask import project_boxes
    boxes = weak.gt_instances.bboxes.tensor
    return project_boxes(
        boxes, torch.as_tensor(weak.homography_matrix),
        torch.as_tensor(strong.homography_matrix), strong.img_shape[:2],
        min_size=0.0)


def _interior(boxes, hw, margin=0.5):
    return ((boxes[:, 0] >= margin) & (boxes[:, 1] >= margin) &
            (boxes[:, 2] <= hw[1] - margin) & (boxes[:, 3] <= hw[0] - margin))


CFG = data_config()
RESIZE = dict(CFG.random_resize.to_dict(), scale=(IMG_HW[1], IMG_HW[0]))
EXACT_CASES = {
    'flip': dict(strong_ops=[
        dict(type='mmdet.RandomFlip', prob=1.0, direction='horizontal')]),
    'crop': dict(crop_hw=(80, 144), relation='any'),
    'scale': dict(resize=RESIZE, relation='any', crop_hw=(512, 1024)),
    'translate': dict(strong_ops=[
        dict(type='ExactTranslateX', min_mag=0.1, max_mag=0.1),
        dict(type='ExactTranslateY', min_mag=0.07, max_mag=0.07)]),
    'scale+crop+flip': dict(
        resize=RESIZE, relation='overlap', crop_hw=(96, 160),
        weak_ops=[dict(type='mmdet.RandomFlip', prob=0.5)],
        strong_ops=[dict(type='mmdet.RandomFlip', prob=0.5)]),
}


@pytest.mark.parametrize('case', list(EXACT_CASES))
def test_projected_box_matches_strong_view_gt(mt_data, case):
    """Flips, crops, scale and translation: every weak GT box inside the
    weak view whose projection lies inside the strong view equals (IoU >=
    0.99, same label) a GT box of the strong view."""
    ds = views_dataset(*mt_data, _views(**EXACT_CASES[case]))
    checked = 0
    for weak, strong, _ in _pairs(ds, reps=3):
        proj, _ = _project(weak, strong)
        inside = _interior(weak.gt_instances.bboxes.tensor,
                           weak.img_shape[:2])
        unclipped = inside & _interior(proj, strong.img_shape[:2])
        sgt = strong.gt_instances.bboxes.tensor
        for b, lab in zip(proj[unclipped],
                          weak.gt_instances.labels[unclipped]):
            same = strong.gt_instances.labels == lab
            assert same.any()
            iou = bbox_overlaps(b[None], sgt[same]).max()
            assert iou >= 0.99, (case, b, sgt[same])
            checked += 1
    assert checked >= 10, checked  # not vacuous


@pytest.mark.parametrize('op', [
    dict(type='ExactRotate', min_mag=25.0, max_mag=25.0),
    dict(type='ExactShearX', min_mag=15.0, max_mag=15.0),
    dict(type='ExactShearY', min_mag=12.0, max_mag=12.0),
])
def test_projected_box_contains_transformed_corners(mt_data, op):
    """Rotation / shear: the projected box contains the object's original
    box corners mapped into the strong view (clipped to the view)."""
    ds = views_dataset(*mt_data, _views([op]))
    checked = 0
    for weak, strong, orig in _pairs(ds, reps=2):
        proj, _ = _project(weak, strong)
        h = torch.as_tensor(strong.homography_matrix, dtype=torch.float64)
        x1, y1, x2, y2 = orig.double().unbind(1)
        corners = torch.stack([
            torch.stack([x1, y1], 1), torch.stack([x2, y1], 1),
            torch.stack([x1, y2], 1), torch.stack([x2, y2], 1)], 1)
        pts = torch.cat([corners, torch.ones_like(corners[..., :1])], -1)
        pts = pts @ h.T
        pts = pts[..., :2] / pts[..., 2:]
        sh, sw = strong.img_shape[:2]
        pts[..., 0] = pts[..., 0].clamp(0, sw)
        pts[..., 1] = pts[..., 1].clamp(0, sh)
        # weak view = original frame here (no crop / resize / flip)
        assert len(proj) == len(orig)
        for b, c in zip(proj.double(), pts):
            if (b[2] - b[0]) < 1 or (b[3] - b[1]) < 1:
                continue
            assert (c[:, 0] >= b[0] - 1e-3).all() and (
                c[:, 0] <= b[2] + 1e-3).all(), (b, c)
            assert (c[:, 1] >= b[1] - 1e-3).all() and (
                c[:, 1] <= b[3] + 1e-3).all(), (b, c)
            checked += 1
    assert checked >= 10, checked


def test_project_boxes_clips_and_drops_tiny():
    from mmssl.models.multitask import project_boxes
    shift = torch.eye(3, dtype=torch.float64)
    shift[0, 2] = -50.0  # strong view = weak view moved 50 px left
    boxes = torch.tensor([[60., 10., 80., 30.],   # inside
                          [40., 10., 70., 30.],   # clipped at x = 0
                          [10., 10., 51., 30.],   # 1 px left: dropped
                          [0., 0., 20., 20.]])    # outside: dropped
    out, keep = project_boxes(boxes, torch.eye(3, dtype=torch.float64),
                              shift, (40, 100), min_size=2.0)
    assert torch.allclose(out[0], torch.tensor([10., 10., 30., 30.]))
    assert torch.allclose(out[1], torch.tensor([0., 10., 20., 30.]))
    assert keep.tolist() == [True, True, False, False]

"""MultiTaskMetric: equals mmseg IoUMetric and mmdet CocoMetric run
separately, gmean = 100 * sqrt(mIoU / 100 * mAP), perfect predictions score
100, per-task flags pick each metric's samples, and clear errors."""
import math

import numpy as np
import pytest
import torch
from mmdet.evaluation import CocoMetric
from mmdet.structures import DetDataSample
from mmengine.evaluator import Evaluator
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData, PixelData

import mmssl  # noqa: F401  (registers MultiTaskMetric)
from mmseg.evaluation import IoUMetric

SEG = tuple(f's{i}' for i in range(5))
THING = ('person', 'car', 'bus')
META = dict(classes=SEG, thing_classes=THING)
H, W = 24, 32


def _boxes(rng, n):
    x1 = rng.uniform(0, W - 8, n)
    y1 = rng.uniform(0, H - 8, n)
    return np.stack([x1, y1, x1 + rng.uniform(3, 8, n),
                     y1 + rng.uniform(3, 8, n)], 1).astype(np.float32)


def _samples(seed=0, perfect=False, n=6, flags=None):
    """DetDataSamples with gt + predictions, and the raw gt instances."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        gt_seg = rng.integers(0, len(SEG), (H, W))
        gt_seg[:2] = 255
        k = int(rng.integers(1, 4))
        gt_b, gt_l = _boxes(rng, k), rng.integers(0, len(THING), k)
        crowd = _boxes(rng, 1)
        if perfect:
            pred_seg, pb, pl = gt_seg.copy(), gt_b, gt_l
            ps = np.ones(k, np.float32)
        else:
            pred_seg = np.where(rng.random((H, W)) < 0.7, gt_seg,
                                rng.integers(0, len(SEG), (H, W)))
            pb = np.concatenate([gt_b + rng.normal(0, 1.0, gt_b.shape),
                                 _boxes(rng, 2)]).astype(np.float32)
            pl = np.concatenate([gt_l, rng.integers(0, len(THING), 2)])
            ps = rng.uniform(0.1, 1.0, len(pb)).astype(np.float32)
        s = DetDataSample(metainfo=dict(
            img_id=100 + i, img_path=f'im{i}.png', ori_shape=(H, W),
            img_shape=(H, W)))
        s.gt_sem_seg = PixelData(data=torch.from_numpy(gt_seg[None]))
        s.pred_sem_seg = PixelData(data=torch.from_numpy(pred_seg[None]))
        s.gt_instances = InstanceData(
            bboxes=torch.from_numpy(gt_b), labels=torch.from_numpy(gt_l))
        s.ignored_instances = InstanceData(
            bboxes=torch.from_numpy(crowd), labels=torch.tensor([0]))
        s.pred_instances = InstanceData(
            bboxes=torch.from_numpy(pb), labels=torch.from_numpy(pl),
            scores=torch.from_numpy(ps))
        if flags is not None:
            s.set_metainfo(dict(seg_labeled=flags[i][0],
                                det_labeled=flags[i][1]))
        raw = [dict(bbox=b.tolist(), bbox_label=int(lb), ignore_flag=0)
               for b, lb in zip(gt_b, gt_l)]
        raw.append(dict(bbox=crowd[0].tolist(), bbox_label=0, ignore_flag=1))
        out.append((s, raw))
    return out


def _combined(samples, **kw):
    init_default_scope('mmseg')
    ev = Evaluator([dict(type='MultiTaskMetric', **kw)])
    ev.dataset_meta = META
    ev.process([s for s, _ in samples])
    return ev.evaluate(len(samples))


def _separate(samples):
    """Oracle: the stock metrics run on their own."""
    iou = IoUMetric(iou_metrics=['mIoU'])
    iou.dataset_meta = dict(classes=SEG)
    iou.process(None, [s.to_dict() for s, _ in samples])
    miou = iou.evaluate(len(samples))['mIoU']
    coco = CocoMetric(metric='bbox')
    coco.dataset_meta = dict(classes=THING)
    coco.process(None, [dict(s.to_dict(), instances=raw)
                        for s, raw in samples])
    return miou, coco.evaluate(len(samples))['coco/bbox_mAP']


def test_equals_separate_metrics_and_their_geometric_mean():
    samples = _samples(0)
    res = _combined(samples)
    miou, mAP = _separate(samples)
    assert 0 < miou < 100 and 0 < mAP < 1
    assert res['multitask/mIoU'] == miou
    assert res['multitask/bbox_mAP'] == mAP
    assert res['multitask/gmean'] == pytest.approx(
        100 * math.sqrt(miou / 100 * mAP))
    assert {'multitask/aAcc', 'multitask/bbox_mAP_50'} <= set(res)


def test_perfect_predictions_score_100():
    res = _combined(_samples(1, perfect=True))
    assert res['multitask/mIoU'] == 100.0
    assert res['multitask/bbox_mAP'] == 1.0
    assert res['multitask/gmean'] == pytest.approx(100.0)


def test_per_task_flags_select_each_metrics_subset():
    # BDD100K-like val: a detection-only and a segmentation-only subset
    flags = [(True, False)] * 3 + [(False, True)] * 3
    samples = _samples(2, flags=flags)
    # labels a sample lacks for a task must not count: corrupt them
    for s, _ in samples[:3]:
        s.pred_instances.bboxes += 5.0
    for s, _ in samples[3:]:
        s.pred_sem_seg.data[:] = 0
    res = _combined(samples)
    miou, _ = _separate(samples[:3])
    _, mAP = _separate(samples[3:])
    assert res['multitask/mIoU'] == miou
    assert res['multitask/bbox_mAP'] == mAP
    assert res['multitask/gmean'] == pytest.approx(
        100 * math.sqrt(miou / 100 * mAP))


def test_single_task_and_errors():
    samples = _samples(3)
    res = _combined(samples, tasks=('seg', ))
    assert res['multitask/gmean'] == pytest.approx(res['multitask/mIoU'])
    init_default_scope('mmseg')
    ev = Evaluator([dict(type='MultiTaskMetric')])
    with pytest.raises(KeyError, match='thing_classes'):
        ev.dataset_meta = dict(classes=SEG)
    flags = [(False, True)] * 2
    with pytest.raises(ValueError, match='no sample was evaluated for seg'):
        _combined(_samples(4, n=2, flags=flags))
    bad = _samples(5, n=1)
    del bad[0][0].pred_instances
    with pytest.raises(KeyError, match="im0.png.*'pred_instances'"):
        _combined(bad)
    with pytest.raises(ValueError, match='tasks='):
        _combined(samples, tasks=('depth', ))

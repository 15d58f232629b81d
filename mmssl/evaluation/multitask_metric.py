"""mIoU, box mAP and their geometric mean on the same predictions.

The multi-task paper selects checkpoints by the geometric mean of the
segmentation mIoU and the detection mAP. ``MultiTaskMetric`` runs mmseg's
``IoUMetric`` and mmdet's ``CocoMetric`` (or any metrics of those
registries, configured by ``seg_metric`` / ``det_metric``) on data samples
that carry both ``pred_sem_seg`` and ``pred_instances``, and adds

    gmean = 100 * sqrt(seg_scale * seg_value * det_scale * det_value)

(``seg_value`` = ``mIoU`` in percent with ``seg_scale=0.01``; ``det_value`` =
``bbox_mAP``, a fraction as CocoMetric reports it (rounded to 3 decimals),
with ``det_scale=1``), so a perfect model scores 100. Keys (with the default
prefix): ``multitask/mIoU``, ``multitask/aAcc``, ``multitask/bbox_mAP``,
``multitask/bbox_mAP_50``, ... and ``multitask/gmean`` for ``save_best``.

Per-sample tasks: a sample is evaluated for segmentation when its
``seg_labeled`` meta flag is true (without the flag: when it has a
``gt_sem_seg``), and for detection when ``det_labeled`` is true (without
it: when it has ``instances`` or ``gt_instances``). So a merged validation
set with a detection-only and a segmentation-only subset (BDD100K) is
evaluated with each metric on its own subset.

Detection ground truth: with ``det_metric.ann_file`` (e.g. the converters'
JSON) CocoMetric reads it and data samples need only ``img_id``; without it
CocoMetric converts the ground truth of the data samples: ``instances``
(the dataset's raw boxes, when ``'instances'`` is in the packer's meta keys)
or else ``gt_instances`` + ``ignored_instances`` (``ignore_flag=1``), which
must then be in the original image frame (load annotations after any
test-time resize, as mmdet's test pipelines do).
"""
import math
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

from mmdet.registry import METRICS as MMDET_METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmseg.registry import METRICS

TASKS = ('seg', 'det')


def _as_list(x):
    if hasattr(x, 'tensor'):  # mmdet BaseBoxes
        x = x.tensor
    return x.tolist() if hasattr(x, 'tolist') else list(x)


@METRICS.register_module()
class MultiTaskMetric(BaseMetric):
    """Segmentation and detection metrics and their geometric mean.

    Args:
        seg_metric (dict): config of the segmentation metric (mmseg
            registry). Defaults to ``IoUMetric(iou_metrics=['mIoU'])``.
        det_metric (dict): config of the detection metric (mmdet registry).
            Defaults to ``CocoMetric(metric='bbox')``.
        seg_key, det_key (str): result keys combined into ``gmean``.
        seg_scale, det_scale (float): map each value to [0, 1].
        tasks (sequence[str]): evaluated tasks, ``('seg', 'det')`` or one
            of them (then ``gmean`` is that task's scaled value x 100).
        collect_device, prefix: as mmengine ``BaseMetric``.
    """
    default_prefix: Optional[str] = 'multitask'

    def __init__(self,
                 seg_metric: dict = dict(
                     type='IoUMetric', iou_metrics=['mIoU']),
                 det_metric: dict = dict(type='CocoMetric', metric='bbox'),
                 seg_key: str = 'mIoU',
                 det_key: str = 'bbox_mAP',
                 seg_scale: float = 0.01,
                 det_scale: float = 1.0,
                 tasks: Sequence[str] = TASKS,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        tasks = tuple(tasks)
        if not tasks or any(t not in TASKS for t in tasks):
            raise ValueError(f'MultiTaskMetric: tasks={tasks!r}; expected a '
                             f'non-empty subset of {TASKS}')
        self.tasks = tasks
        self.seg_key, self.det_key = seg_key, det_key
        self.seg_scale, self.det_scale = float(seg_scale), float(det_scale)
        self.seg_metric = METRICS.build(
            dict(_scope_='mmseg', **seg_metric)) if 'seg' in tasks else None
        self.det_metric = MMDET_METRICS.build(
            dict(_scope_='mmdet', **det_metric)) if 'det' in tasks else None
        self._det_from_samples = (
            self.det_metric is not None
            and getattr(self.det_metric, '_coco_api', 1) is None)

    # ---------------------------------------------------------- metainfo
    @property
    def dataset_meta(self) -> Optional[dict]:
        return self._dataset_meta

    @dataset_meta.setter
    def dataset_meta(self, meta: dict) -> None:
        self._dataset_meta = meta
        if meta is None:
            return
        if self.seg_metric is not None:
            self.seg_metric.dataset_meta = dict(meta)
        if self.det_metric is not None:
            if 'thing_classes' not in meta:
                raise KeyError(
                    'MultiTaskMetric: the dataset metainfo has no '
                    "'thing_classes' (the detection classes); use a "
                    'MultiTaskDataset or set metainfo=dict(thing_classes=...)')
            self.det_metric.dataset_meta = dict(
                meta, classes=tuple(meta['thing_classes']))

    # ----------------------------------------------------------- process
    @staticmethod
    def _flag(sample: dict, key: str, fallback_keys) -> bool:
        if key in sample:
            return bool(sample[key])
        return any(k in sample for k in fallback_keys)

    @staticmethod
    def _instances(sample: dict) -> List[dict]:
        out = []
        for field, ignore in (('gt_instances', 0), ('ignored_instances', 1)):
            inst = sample.get(field) or {}
            if 'bboxes' not in inst:
                continue
            for box, label in zip(
                    _as_list(inst['bboxes']), _as_list(inst['labels'])):
                out.append(
                    dict(bbox=box, bbox_label=int(label), ignore_flag=ignore))
        return out

    @staticmethod
    def _take(metric: BaseMetric, data_batch, sample: dict) -> list:
        """Run ``metric.process`` on one sample and take what it stored."""
        n = len(metric.results)
        metric.process(data_batch, [sample])
        taken = metric.results[n:]
        del metric.results[n:]
        return taken

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Store exactly one entry per sample, ``(seg results, det
        results)``: mmengine's ``collect_results`` interleaves the ranks'
        entries and cuts them at the dataset size, so more than one entry
        per sample would be dropped or mixed up."""
        for s in data_samples:
            where = s.get('img_path', s.get('img_id', '?'))
            seg, det = [], []
            if self.seg_metric is not None and self._flag(
                    s, 'seg_labeled', ('gt_sem_seg', )):
                for k in ('pred_sem_seg', 'gt_sem_seg'):
                    if k not in s:
                        raise KeyError(
                            f'MultiTaskMetric: sample {where} is labeled for '
                            f'segmentation but has no {k!r}')
                seg = self._take(self.seg_metric, data_batch, s)
            if self.det_metric is not None and self._flag(
                    s, 'det_labeled', ('instances', 'gt_instances')):
                if 'pred_instances' not in s:
                    raise KeyError(
                        f'MultiTaskMetric: sample {where} is labeled for '
                        "detection but has no 'pred_instances'")
                if 'img_id' not in s:
                    raise KeyError(
                        f'MultiTaskMetric: sample {where} has no img_id; '
                        "add 'img_id' to the packer's meta_keys")
                if self._det_from_samples and 'instances' not in s:
                    s = dict(s, instances=self._instances(s))
                det = self._take(self.det_metric, data_batch, s)
            self.results.append((seg, det))

    # ----------------------------------------------------------- compute
    def compute_metrics(self, results: list) -> Dict[str, float]:
        logger = MMLogger.get_current_instance()
        out = OrderedDict()
        scaled = []
        for task in self.tasks:
            i = TASKS.index(task)
            part = [r for entry in results for r in entry[i]]
            if not part:
                raise ValueError(
                    f'MultiTaskMetric: no sample was evaluated for {task} '
                    f"(no '{task}_labeled' sample with ground truth in the "
                    'validation set)')
            if task == 'seg':
                res = self.seg_metric.compute_metrics(part)
                key, scale = self.seg_key, self.seg_scale
            else:
                if self._det_from_samples:  # CocoMetric caches converted gt
                    self.det_metric._coco_api = None
                    self.det_metric.cat_ids = None
                    self.det_metric.img_ids = None
                res = self.det_metric.compute_metrics(part)
                key, scale = self.det_key, self.det_scale
                if key not in res and all(
                        len(p['bboxes']) == 0 for _, p in part):
                    logger.warning('MultiTaskMetric: no predicted box in the '
                                   f'whole validation set; {key} = 0')
                    res[key] = 0.0
            if key not in res:
                raise KeyError(f'MultiTaskMetric: the {task} metric returned '
                               f'{sorted(res)}, without {key!r}')
            out.update(res)
            scaled.append(max(float(res[key]) * scale, 0.0))
        out['gmean'] = 100.0 * math.prod(scaled)**(1.0 / len(scaled))
        return out

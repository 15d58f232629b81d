"""FixMatch* / Dense FixMatch for segmentation + detection on partially
labeled data (multi-task paper, sec. 3)."""
from typing import Dict, List, NamedTuple, Optional, Sequence

import torch
from mmdet.structures import DetDataSample
from mmdet.structures.bbox import HorizontalBoxes
from mmengine.structures import InstanceData, PixelData
from torch import Tensor

from mmseg.registry import MODELS
from ..segmentors.semi_base import SemiBaseModel
from ..utils.view_geometry import (batch_frame_metas, stack_homographies,
                                   strong_ignore_region, valid_hw)
from ..utils.view_matching import warp_labels
from .box_pseudo_labels import confident_boxes, project_boxes
from .positive_targets import positive_targets_only
from .seg_det_network import TASKS


class TaskSplit(NamedTuple):
    """Which samples of a two-view batch get which loss.

    ``labeled[t]`` / ``unsup[t]``: host bool ``[N]`` per task (labeled for
    ``t``; gets ``Lu,t``). ``sup_idx``: samples labeled for at least one of
    the model's tasks (their weak views enter the student); ``unsup_idx``:
    samples that get ``Lu`` for at least one task (their strong views enter
    the student and the teacher labels their weak views)."""
    labeled: Dict[str, Tensor]
    unsup: Dict[str, Tensor]
    sup_idx: Tensor
    unsup_idx: Tensor


class TeacherTargets(NamedTuple):
    """Pseudo-labels for the ``unsup_idx`` samples (one entry per sample).

    ``seg_labels`` ``[u, H, W]``: teacher argmax matched into the strong
    frame (``ignore_index`` where invalid); ``seg_weak`` ``[u, h, w]``: the
    argmax in the weak frame; ``teacher_boxes``: the teacher's confident
    detections on the weak views; ``boxes``: those projected into the strong
    views, clipped, tiny ones dropped. Entries of a task the model lacks are
    None."""
    seg_labels: Optional[Tensor]
    seg_weak: Optional[Tensor]
    teacher_boxes: Optional[List[InstanceData]]
    boxes: Optional[List[InstanceData]]


@MODELS.register_module()
class SemiMultiTask(SemiBaseModel):
    """Student + EMA teacher around a :class:`MultiTaskSegDet`.

    ``L = sum_t gamma_t (Ls,t + lambda_t Lu,t)``. ``Ls,t`` is task ``t``'s
    own loss over the weak views of the samples labeled for ``t``
    (metainfo ``seg_labeled`` / ``det_labeled``); ``Lu,t`` is the same
    head's loss over the strong views of the samples not labeled for ``t``
    (``unsup_on='unlabeled'``) or of all samples (``'all'``), against the
    teacher's pseudo-labels:

    * segmentation: the teacher's argmax on the weak view (threshold
      ``seg_pseudo_threshold``, 0 in the paper), matched into the strong
      view by the core's ``warp_labels`` and removed in the strong view's
      ignore region (``mmssl.models.utils.strong_ignore_region``);
    * detection: the teacher's detections (the head's own post-processing
      and NMS) scoring at least ``det_score_thr`` (0.5) on the weak view,
      projected into the strong view (:func:`project_boxes`), clipped, boxes
      thinner than ``det_min_box_size`` dropped; with ``det_positives_only``
      (default) the loss ignores anchors assigned to the background
      (:func:`positive_targets_only`).

    ``lambda_t = unsup_weight * unsup_task_weights[t]`` (the ramp hook sets
    ``unsup_weight``); ``gamma_t`` is the network's ``task_weights``.

    The student runs ONE forward (backbone once, both heads) over the
    labeled weak views and the strong views, and each task's losses are
    computed for the samples it concerns from slices of the heads' outputs
    by the heads' own loss code. A selection with no sample gives that
    term as ``0 *`` the head's outputs, so every parameter is used every
    step (DDP without ``find_unused_parameters``), whatever a rank's batch
    holds. FixMatch* is the same model with the photometric-only, shared-crop
    views. With one head removed from the network it is a single-task
    semi-supervised segmentor or detector.

    Args:
        model (dict): a :class:`MultiTaskSegDet` config.
        semi_train_cfg (dict): ``unsup_on`` ('all' | 'unlabeled'),
            ``unsup_weight`` (initial lambda), ``unsup_task_weights``
            (``dict(seg=1., det=1.)``), ``seg_pseudo_threshold`` (0.),
            ``det_score_thr`` (0.5), ``det_min_box_size`` (2. pixels),
            ``det_positives_only`` (True).
    """

    def __init__(self,
                 model: dict,
                 data_preprocessor: Optional[dict] = None,
                 semi_train_cfg: Optional[dict] = None,
                 semi_test_cfg: Optional[dict] = None,
                 init_cfg=None):
        super().__init__(
            model=model,
            data_preprocessor=data_preprocessor,
            semi_train_cfg=semi_train_cfg,
            semi_test_cfg=semi_test_cfg,
            init_cfg=init_cfg)
        cfg = self.semi_train_cfg
        if not hasattr(self.student, 'forward_heads'):
            raise TypeError('SemiMultiTask: model must be a MultiTaskSegDet '
                            f'(got {type(self.student).__name__})')
        self.tasks = self.student.tasks
        self.seg_pseudo_threshold = float(cfg.get('seg_pseudo_threshold', 0.))
        if not 0.0 <= self.seg_pseudo_threshold < 1.0:
            raise ValueError('semi_train_cfg.seg_pseudo_threshold must be in '
                             f'[0, 1), got {self.seg_pseudo_threshold}')
        self.det_score_thr = float(cfg.get('det_score_thr', 0.5))
        if not 0.0 <= self.det_score_thr <= 1.0:
            raise ValueError('semi_train_cfg.det_score_thr must be in [0, 1], '
                             f'got {self.det_score_thr}')
        self.det_min_box_size = float(cfg.get('det_min_box_size', 2.0))
        if self.det_min_box_size < 0:
            raise ValueError('semi_train_cfg.det_min_box_size must be >= 0, '
                             f'got {self.det_min_box_size}')
        self.det_positives_only = bool(cfg.get('det_positives_only', True))
        self.unsup_task_weights = dict(seg=1.0, det=1.0)
        for task, w in (cfg.get('unsup_task_weights') or {}).items():
            if task not in TASKS:
                raise ValueError('semi_train_cfg.unsup_task_weights: unknown '
                                 f'task {task!r}; expected keys in {TASKS}')
            self.unsup_task_weights[task] = float(w)
        if 'seg' in self.tasks:
            self.ignore_index = self.student.decode_head.ignore_index
            self.num_classes = self.student.decode_head.num_classes

    # ------------------------------------------------------------- step
    def loss(self, multi_batch_inputs: Dict[str, Tensor],
             multi_batch_data_samples: Dict[str, List]) -> dict:
        weak_x = multi_batch_inputs['weak']
        strong_x = multi_batch_inputs['strong']
        weak_ds = multi_batch_data_samples['weak']
        strong_ds = multi_batch_data_samples['strong']
        split = self.split_tasks(weak_ds)
        targets = self.make_pseudo_targets(weak_x, strong_x, weak_ds,
                                           strong_ds, split.unsup_idx)
        device = weak_x.device
        sup = split.sup_idx.tolist()
        uns = split.unsup_idx.tolist()
        fwd = self.student.forward_heads(
            torch.cat([weak_x[split.sup_idx], strong_x[split.unsup_idx]]))
        losses = dict()
        lam = self.unsup_weight
        for task in self.tasks:
            # Ls,t: weak views labeled for t (positions in the weak part)
            pos = [k for k, i in enumerate(sup) if split.labeled[task][i]]
            losses.update(
                self._prefixed(
                    f'sup.{task}',
                    self.student.task_loss(
                        task, fwd, torch.tensor(pos, dtype=torch.long,
                                                device=device),
                        [weak_ds[sup[k]] for k in pos])))
            # Lu,t: strong views of unsup[t] with pseudo-labels
            ks = [k for k, i in enumerate(uns) if split.unsup[task][i]]
            samples = [
                self.pseudo_sample(strong_ds[uns[k]], task, targets, k)
                for k in ks
            ]
            index = torch.tensor([len(sup) + k for k in ks],
                                 dtype=torch.long, device=device)
            weight = lam * self.unsup_task_weights[task]
            if task == 'det' and self.det_positives_only and ks:
                with positive_targets_only(self.student.bbox_head):
                    part = self.student.task_loss(task, fwd, index, samples)
            else:
                part = self.student.task_loss(task, fwd, index, samples)
            losses.update(
                self._prefixed(f'unsup.{task}', {
                    k: _scale(v, weight) if 'loss' in k else v
                    for k, v in part.items()
                }))
        losses['unsup_weight'] = torch.as_tensor(
            float(lam), dtype=weak_x.dtype, device=device)
        losses.update(self.pseudo_label_stats(targets, weak_x))
        self.publish(self.hook_info(split, targets, strong_x))
        return losses

    @staticmethod
    def _prefixed(prefix: str, losses: dict) -> dict:
        return {f'{prefix}.{k}': v for k, v in losses.items()}

    # -------------------------------------------------------------- split
    def split_tasks(self, weak_samples: Sequence) -> TaskSplit:
        """Per-task labeled / unsupervised flags from the weak samples'
        ``seg_labeled`` / ``det_labeled`` metainfo (host tensors)."""
        labeled, unsup = {}, {}
        n = len(weak_samples)
        for task in self.tasks:
            key = f'{task}_labeled'
            flags = []
            for ds in weak_samples:
                if key not in ds.metainfo:
                    raise KeyError(
                        f"data sample {ds.metainfo.get('img_path', '?')} has "
                        f"no '{key}': load labels with "
                        'LoadMultiTaskAnnotations and pack the SemiViews '
                        'branches with PackMultiTaskInputs (its default '
                        "meta_keys carry 'seg_labeled' / 'det_labeled')")
                flags.append(bool(ds.metainfo[key]))
            labeled[task] = torch.tensor(flags, dtype=torch.bool)
            unsup[task] = (~labeled[task] if self.unsup_on == 'unlabeled'
                           else torch.ones(n, dtype=torch.bool))
        any_labeled = torch.zeros(n, dtype=torch.bool)
        any_unsup = torch.zeros(n, dtype=torch.bool)
        for task in self.tasks:
            any_labeled |= labeled[task]
            any_unsup |= unsup[task]
        return TaskSplit(labeled, unsup,
                         any_labeled.nonzero().flatten(),
                         any_unsup.nonzero().flatten())

    # ---------------------------------------------------- pseudo-targets
    @torch.no_grad()
    def make_pseudo_targets(self, weak_x: Tensor, strong_x: Tensor,
                            weak_ds: Sequence, strong_ds: Sequence,
                            idx: Tensor) -> TeacherTargets:
        """The teacher on the weak views of ``idx`` (one forward, both
        heads), its pseudo-labels brought into the strong views."""
        sel = idx.tolist()
        device = weak_x.device
        strong_hw = tuple(strong_x.shape[2:])
        w_ds = [weak_ds[i] for i in sel]
        s_ds = [strong_ds[i] for i in sel]
        seg_labels = seg_weak = teacher_boxes = boxes = None
        if not sel:
            if 'seg' in self.tasks:
                seg_labels = torch.zeros((0, ) + strong_hw, dtype=torch.long,
                                         device=device)
                seg_weak = torch.zeros((0, ) + tuple(weak_x.shape[2:]),
                                       dtype=torch.long, device=device)
            if 'det' in self.tasks:
                teacher_boxes, boxes = [], []
            return TeacherTargets(seg_labels, seg_weak, teacher_boxes, boxes)
        inputs = weak_x[idx]
        out = self.teacher.forward_heads(inputs)
        src_h = stack_homographies(w_ds, device)
        dst_h = stack_homographies(s_ds, device)
        if 'seg' in self.tasks:
            seg_labels, seg_weak = self.seg_pseudo_labels(
                out['seg'], inputs, w_ds, s_ds, src_h, dst_h, strong_hw)
        if 'det' in self.tasks:
            teacher_boxes, boxes = self.det_pseudo_labels(
                out['det'], w_ds, s_ds, src_h, dst_h)
        return TeacherTargets(seg_labels, seg_weak, teacher_boxes, boxes)

    def seg_pseudo_labels(self, logits: Tensor, inputs: Tensor, w_ds, s_ds,
                          src_h: Tensor, dst_h: Tensor, strong_hw):
        """Teacher argmax in the weak frame and matched into the strong one
        (the core's matching and strong-view ignore region)."""
        head = self.teacher.decode_head
        logits = head.predict_by_feat(logits, batch_frame_metas(inputs, w_ds))
        confidence, weak_labels = logits.float().softmax(dim=1).max(dim=1)
        geometry = dict(
            src_h=src_h,
            dst_h=dst_h,
            dst_shape=strong_hw,
            src_valid_shapes=[valid_hw(d) for d in w_ds])
        labels = warp_labels(
            weak_labels, ignore_index=self.ignore_index, **geometry)
        keep = labels != self.ignore_index
        keep &= ~strong_ignore_region(s_ds, strong_hw, labels.device,
                                      self.ignore_index)
        if self.seg_pseudo_threshold > 0:
            confidence = warp_labels(confidence, ignore_index=0, **geometry)
            keep &= confidence >= self.seg_pseudo_threshold
        labels = torch.where(keep, labels,
                             torch.full_like(labels, self.ignore_index))
        return labels, weak_labels

    def det_pseudo_labels(self, det_out, w_ds, s_ds, src_h: Tensor,
                          dst_h: Tensor):
        """Teacher detections (its head's post-processing, in the weak
        view's valid frame) scoring >= ``det_score_thr``, and their
        projections into the strong views."""
        metas = [
            dict(ds.metainfo, img_shape=valid_hw(ds), scale_factor=(1., 1.))
            for ds in w_ds
        ]
        results = self.teacher.bbox_head.predict_by_feat(
            *det_out, batch_img_metas=metas, rescale=False)
        teacher_boxes, boxes = [], []
        for k, res in enumerate(results):
            res = confident_boxes(res, self.det_score_thr)
            bboxes = res.bboxes
            if hasattr(bboxes, 'tensor'):
                bboxes = bboxes.tensor
            projected, keep = project_boxes(bboxes, src_h[k], dst_h[k],
                                            valid_hw(s_ds[k]),
                                            self.det_min_box_size)
            teacher_boxes.append(
                InstanceData(
                    bboxes=bboxes, labels=res.labels, scores=res.scores))
            boxes.append(
                InstanceData(
                    bboxes=projected[keep],
                    labels=res.labels[keep],
                    scores=res.scores[keep]))
        return teacher_boxes, boxes

    def pseudo_sample(self, strong: DetDataSample, task: str,
                      targets: TeacherTargets, k: int) -> DetDataSample:
        """A new data sample with the strong view's metainfo and the ``k``-th
        pseudo-label of ``task`` as ground truth."""
        out = DetDataSample(metainfo=strong.metainfo)
        if task == 'seg':
            out.gt_sem_seg = PixelData(data=targets.seg_labels[k][None])
        else:
            box = targets.boxes[k]
            out.gt_instances = InstanceData(
                bboxes=HorizontalBoxes(box.bboxes), labels=box.labels)
        return out

    # -------------------------------------------------------------- logging
    def pseudo_label_stats(self, targets: TeacherTargets,
                           ref: Tensor) -> dict:
        """Logged scalars: valid fraction of the matched segmentation
        pseudo-labels, pseudo-boxes per image."""
        stats = dict()
        if targets.seg_labels is not None:
            labels = targets.seg_labels
            stats['pseudo_valid_frac'] = (
                (labels != self.ignore_index).float().mean()
                if labels.numel() else ref.new_zeros(()))
        if targets.boxes is not None:
            n = len(targets.boxes)
            stats['pseudo_boxes_per_img'] = ref.new_tensor(
                sum(len(b) for b in targets.boxes) / max(n, 1))
        return stats

    def hook_info(self, split: TaskSplit, targets: TeacherTargets,
                  strong_x: Tensor) -> dict:
        """What :class:`PseudoLabelVisualizationHook` shows, for the
        ``unsup_idx`` samples: the segmentation keys of
        :meth:`SemiSegmentor.hook_info` (``weak_labels``, ``pseudo_labels``,
        ``class_counts``, ...) and ``teacher_boxes`` (weak frame) /
        ``pseudo_boxes`` (strong frame): per sample ``[k, 4]`` tensors, with
        ``teacher_box_labels`` / ``pseudo_box_labels``."""
        info = dict(
            index=split.unsup_idx.tolist(),
            student_inputs=strong_x[split.unsup_idx].detach())
        if targets.seg_labels is not None:
            labels = targets.seg_labels
            counts = torch.bincount(
                labels.flatten().clamp(max=self.num_classes),
                minlength=self.num_classes + 1)[:self.num_classes]
            info.update(
                weak_labels=targets.seg_weak,
                pseudo_labels=labels,
                class_counts=counts,
                num_classes=self.num_classes,
                ignore_index=self.ignore_index)
        if targets.boxes is not None:
            info.update(
                teacher_boxes=[b.bboxes for b in targets.teacher_boxes],
                teacher_box_labels=[b.labels for b in targets.teacher_boxes],
                pseudo_boxes=[b.bboxes for b in targets.boxes],
                pseudo_box_labels=[b.labels for b in targets.boxes])
        return info


def _scale(value, weight):
    if isinstance(value, (list, tuple)):
        return type(value)(v * weight for v in value)
    return value * weight

"""FixMatch* / Dense FixMatch for segmentation + detection on partially
labeled data (multi-task paper, sec. 3), as steps of the core's template."""
from typing import Dict, List, NamedTuple, Optional, Sequence

import torch
from mmdet.models.utils import reweight_loss_dict
from mmdet.structures import DetDataSample
from mmdet.structures.bbox import HorizontalBoxes
from mmengine.structures import InstanceData, PixelData
from torch import Tensor

from mmseg.registry import MODELS
from mmseg.utils import add_prefix
from ..core import SemiBaseModel
from ..utils.labeled_flags import labeled_flags
from ..utils.seg_pseudo_labels import (match_seg_pseudo_labels,
                                       pseudo_valid_frac, seg_hook_info)
from ..utils.semi_batch import PseudoTargets, SemiBatch, UnsupBatch
from ..utils.view_geometry import (batch_frame_metas, stack_homographies,
                                   valid_hw)
from .box_pseudo_labels import confident_boxes, project_boxes
from .positive_targets import positive_targets_only
from .seg_det_network import TASKS
from .teacher_background import (background_scores,
                                 teacher_weighted_background)

#: the data-sample field that carries each task's (pseudo-)labels
GT_FIELDS = dict(seg='gt_sem_seg', det='gt_instances')


class TeacherTargets(NamedTuple):
    """Pseudo-labels for the ``unsup_idx`` samples (one entry per sample).

    ``seg``: the core's :class:`PseudoTargets` (teacher argmax matched into
    the strong frame by :func:`match_seg_pseudo_labels`, the weak-frame
    argmax, confidence, validity); ``teacher_boxes``: the teacher's
    confident detections on the weak views; ``boxes``: those projected into
    the strong views, clipped, tiny ones dropped; ``det_background``
    (with ``det_teacher_background`` only): per FPN level ``[n, H*W*A]``,
    the teacher's background score of each anchor of the weak view
    (:func:`background_scores`). Entries of a task the model lacks are
    None."""
    seg: Optional[PseudoTargets]
    teacher_boxes: Optional[List[InstanceData]]
    boxes: Optional[List[InstanceData]]
    det_background: Optional[List[Tensor]] = None


@MODELS.register_module()
class SemiMultiTask(SemiBaseModel):
    """Student + EMA teacher around a :class:`MultiTaskSegDet`.

    ``L = sum_t gamma_t (Ls,t + lambda_t Lu,t)``. ``Ls,t`` is task ``t``'s
    own loss over the weak views of the samples labeled for ``t``
    (metainfo ``seg_labeled`` / ``det_labeled``); ``Lu,t`` is the same
    head's loss over the strong views of the samples not labeled for ``t``
    (``unsup_on='unlabeled'``) or of all samples (``'all'``), against the
    teacher's pseudo-labels:

    * segmentation: exactly the core's (:class:`SemiSegmentor`'s) pseudo-
      labels, from the same function (:func:`match_seg_pseudo_labels`):
      teacher argmax on the weak view matched into the strong view, the
      strong view's ignore region removed, threshold
      ``seg_pseudo_threshold`` (0 in the paper), then
      ``pseudo_label_filter`` (online DA / DARS) when one is set;
    * detection: the teacher's detections (the head's own post-processing
      and NMS) scoring at least ``det_score_thr`` (0.5) on the weak view,
      projected into the strong view (:func:`project_boxes`), clipped, boxes
      thinner than ``det_min_box_size`` dropped; with ``det_positives_only``
      (default) the loss ignores anchors assigned to the background
      (:func:`positive_targets_only`); with ``det_teacher_background``
      instead, Soft Teacher's form (arXiv:2106.09018): background anchors
      weighted by the teacher's background score at the same anchor of
      the weak view (:func:`teacher_weighted_background`; views of one
      geometry only, FixMatch*).

    ``lambda_t = unsup_weight * unsup_task_weights[t]`` (the ramp hook sets
    ``unsup_weight``); ``gamma_t`` is the network's ``task_weights``.

    The training step is the core's template (:meth:`SemiBaseModel.loss`):
    :meth:`build_unsup_batch` gives each unsupervised strong view the
    pseudo-labels of the tasks it gets ``Lu`` for, the student runs ONE
    forward (backbone once, both heads) over the labeled weak views and the
    strong views, and :meth:`loss_sup` / :meth:`loss_unsup` compute each
    task's losses for the samples carrying its labels from slices of the
    heads' outputs by the heads' own loss code. A selection with no sample
    gives that term as ``0 *`` the head's outputs, so every parameter is
    used every step (DDP without ``find_unused_parameters``), whatever a
    rank's batch holds. FixMatch* is the same model with the
    photometric-only, shared-crop views. With one head removed from the
    network it is a single-task semi-supervised segmentor or detector.

    Args:
        model (dict): a :class:`MultiTaskSegDet` config.
        semi_train_cfg (dict): the core's keys (``unsup_on``,
            ``unsup_weight``, ``pseudo_label_filter``) and
            ``unsup_task_weights`` (``dict(seg=1., det=1.)``),
            ``seg_pseudo_threshold`` (0.), ``det_score_thr`` (0.5),
            ``det_min_box_size`` (2. pixels), ``det_positives_only``
            (True), ``det_teacher_background`` (False; needs
            ``det_positives_only=False``).
    """

    semi_train_keys = ('unsup_task_weights', 'seg_pseudo_threshold',
                       'det_score_thr', 'det_min_box_size',
                       'det_positives_only', 'det_teacher_background')

    def __init__(self, model: dict, **kwargs):
        super().__init__(model=model, **kwargs)
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
        self.det_teacher_background = bool(
            cfg.get('det_teacher_background', False))
        if self.det_teacher_background and self.det_positives_only:
            raise ValueError(
                'semi_train_cfg.det_teacher_background=True weighs the '
                'background anchors, which det_positives_only=True (the '
                'default) drops: set det_positives_only=False')
        self.unsup_task_weights = dict(seg=1.0, det=1.0)
        for task, w in (cfg.get('unsup_task_weights') or {}).items():
            if task not in TASKS:
                raise ValueError('semi_train_cfg.unsup_task_weights: unknown '
                                 f'task {task!r}; expected keys in {TASKS}')
            self.unsup_task_weights[task] = float(w)
        if 'seg' in self.tasks:
            self.ignore_index = self.student.decode_head.ignore_index
            self.num_classes = self.student.decode_head.num_classes
        elif self.pseudo_label_filter is not None:
            raise ValueError('SemiMultiTask: semi_train_cfg.'
                             'pseudo_label_filter filters segmentation '
                             'pseudo-labels, but the model has no '
                             'segmentation head')

    def label_keys(self) -> Dict[str, str]:
        """``seg_labeled`` / ``det_labeled`` for the model's tasks."""
        return {task: f'{task}_labeled' for task in self.tasks}

    # ---------------------------------------------------- pseudo-targets
    @torch.no_grad()
    def make_pseudo_targets(self, batch: SemiBatch) -> TeacherTargets:
        """The teacher on the weak views of ``unsup_idx`` (one forward, both
        heads), its pseudo-labels brought into the strong views."""
        idx = batch.unsup_idx
        w_ds = [batch.weak_samples[i] for i in idx.tolist()]
        s_ds = [batch.strong_samples[i] for i in idx.tolist()]
        weak_x = batch.weak_inputs
        out = self.teacher.forward_heads(weak_x[idx]) if w_ds else None
        seg = teacher_boxes = boxes = det_background = None
        if 'seg' in self.tasks:
            if w_ds:
                head = self.teacher.decode_head
                logits = head.predict_by_feat(
                    out['seg'], batch_frame_metas(weak_x[idx], w_ds))
                probs = logits.float().softmax(dim=1)
            else:  # the filter still runs (it may all-reduce statistics)
                probs = weak_x.new_zeros((0, self.num_classes) +
                                         tuple(weak_x.shape[2:]))
            seg = match_seg_pseudo_labels(
                probs,
                w_ds,
                s_ds,
                tuple(batch.strong_inputs.shape[2:]),
                ignore_index=self.ignore_index,
                threshold=self.seg_pseudo_threshold,
                label_filter=self.pseudo_label_filter,
                with_probs=self.needs_probs)
        if 'det' in self.tasks:
            teacher_boxes, boxes = (
                self.det_pseudo_labels(out['det'], w_ds, s_ds)
                if w_ds else ([], []))
            if self.det_teacher_background and w_ds:
                check_one_geometry(weak_x, batch.strong_inputs, w_ds, s_ds)
                head = self.teacher.bbox_head
                det_background = background_scores(out['det'][0],
                                                   head.num_classes,
                                                   head.use_sigmoid_cls)
        return TeacherTargets(seg, teacher_boxes, boxes, det_background)

    def det_pseudo_labels(self, det_out, w_ds: Sequence, s_ds: Sequence):
        """Teacher detections (its head's post-processing, in the weak
        view's valid frame) scoring >= ``det_score_thr``, and their
        projections into the strong views."""
        device = det_out[0][0].device
        src_h = stack_homographies(w_ds, device)
        dst_h = stack_homographies(s_ds, device)
        metas = [
            dict(ds.metainfo, img_shape=valid_hw(ds), scale_factor=(1., 1.))
            for ds in w_ds
        ]
        results = self.teacher.detections(det_out, metas, rescale=False)
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

    def build_unsup_batch(self, batch: SemiBatch,
                          targets: TeacherTargets) -> UnsupBatch:
        """The strong views of ``unsup_idx``; each data sample carries the
        pseudo-labels (``gt_sem_seg`` / ``gt_instances``) of exactly the
        tasks it gets ``Lu`` for (:meth:`unsup_flags`)."""
        idx = batch.unsup_idx.tolist()
        gets_lu = {t: self.unsup_flags(batch, t) for t in self.tasks}
        samples = []
        for k, i in enumerate(idx):
            out = DetDataSample(metainfo=batch.strong_samples[i].metainfo)
            if 'seg' in self.tasks and gets_lu['seg'][i]:
                out.gt_sem_seg = PixelData(data=targets.seg.labels[k][None])
            if 'det' in self.tasks and gets_lu['det'][i]:
                box = targets.boxes[k]
                out.gt_instances = InstanceData(
                    bboxes=HorizontalBoxes(box.bboxes), labels=box.labels)
            samples.append(out)
        return UnsupBatch(batch.strong_inputs[batch.unsup_idx], samples,
                          targets)

    # ------------------------------------------------------------ student
    def student_forward(self, inputs: Tensor, data_samples: List) -> dict:
        """Backbone once, both heads over the whole batch."""
        return self.student.forward_heads(inputs)

    def loss_sup(self, fwd: dict, index: Tensor, data_samples: List) -> dict:
        """``Ls,t`` of each task over the weak views labeled for it."""
        losses = dict()
        for task, key in self.label_keys().items():
            pos = labeled_flags(data_samples, key).nonzero().flatten()
            part = self.student.task_loss(task, fwd,
                                          index[pos.to(index.device)],
                                          [data_samples[k]
                                           for k in pos.tolist()])
            losses.update(add_prefix(part, f'sup.{task}'))
        return losses

    def loss_unsup(self, fwd: dict, index: Tensor, data_samples: List,
                   targets: TeacherTargets, weight) -> dict:
        """``lambda_t Lu,t`` of each task over the strong views that carry
        its pseudo-labels."""
        losses = dict()
        for task in self.tasks:
            pos = [
                k for k, ds in enumerate(data_samples)
                if GT_FIELDS[task] in ds
            ]
            rows = torch.tensor(pos, dtype=torch.long, device=index.device)
            sel = index[rows]
            samples = [data_samples[k] for k in pos]
            if task == 'det' and self.det_positives_only and pos:
                with positive_targets_only(self.student.bbox_head):
                    part = self.student.task_loss(task, fwd, sel, samples)
            elif task == 'det' and self.det_teacher_background and pos:
                levels = [
                    r[rows.to(r.device)].reshape(-1)
                    for r in targets.det_background
                ]
                with teacher_weighted_background(self.student.bbox_head,
                                                 levels):
                    part = self.student.task_loss(task, fwd, sel, samples)
            else:
                part = self.student.task_loss(task, fwd, sel, samples)
            part = reweight_loss_dict(part,
                                      weight * self.unsup_task_weights[task])
            losses.update(add_prefix(part, f'unsup.{task}'))
        return losses

    # -------------------------------------------------------------- logging
    def pseudo_label_stats(self, unsup: UnsupBatch, ref: Tensor) -> dict:
        """Logged scalars: valid fraction of the matched segmentation
        pseudo-labels, pseudo-boxes per image."""
        targets = unsup.targets
        stats = dict()
        if targets.seg is not None:
            stats['pseudo_valid_frac'] = pseudo_valid_frac(
                targets.seg.labels, self.ignore_index, ref)
        if targets.boxes is not None:
            n = len(targets.boxes)
            stats['pseudo_boxes_per_img'] = ref.new_tensor(
                sum(len(b) for b in targets.boxes) / max(n, 1))
        return stats

    def hook_info(self, batch: SemiBatch, targets: TeacherTargets,
                  unsup: UnsupBatch) -> dict:
        """What :class:`PseudoLabelVisualizationHook` shows, for the
        ``unsup_idx`` samples: the core's keys, the segmentation keys of
        :meth:`SemiSegmentor.hook_info` (``weak_labels``, ``pseudo_labels``,
        ``class_counts``, ...) and ``teacher_boxes`` (weak frame) /
        ``pseudo_boxes`` (strong frame): per sample ``[k, 4]`` tensors, with
        ``teacher_box_labels`` / ``pseudo_box_labels``."""
        info = super().hook_info(batch, targets, unsup)
        if targets.seg is not None:
            info.update(
                seg_hook_info(targets.seg, targets.seg.labels,
                              self.num_classes, self.ignore_index))
        if targets.boxes is not None:
            info.update(
                teacher_boxes=[b.bboxes for b in targets.teacher_boxes],
                teacher_box_labels=[b.labels for b in targets.teacher_boxes],
                pseudo_boxes=[b.bboxes for b in targets.boxes],
                pseudo_box_labels=[b.labels for b in targets.boxes])
        return info


def check_one_geometry(weak_x: Tensor, strong_x: Tensor, w_ds: Sequence,
                       s_ds: Sequence) -> None:
    """The teacher's anchors on the weak views are the student's on the
    strong views: same batch shape, and each sample's two views have one
    homography and valid size (FixMatch*'s shared crop)."""
    if weak_x.shape[2:] != strong_x.shape[2:]:
        raise ValueError(
            'semi_train_cfg.det_teacher_background needs weak and strong '
            f'batches of one shape, got {tuple(weak_x.shape[2:])} and '
            f'{tuple(strong_x.shape[2:])}')
    src = stack_homographies(w_ds, weak_x.device)
    dst = stack_homographies(s_ds, weak_x.device)
    for k, (w, s) in enumerate(zip(w_ds, s_ds)):
        if valid_hw(w) != valid_hw(s) or not torch.allclose(
                src[k], dst[k], atol=1e-4):
            raise ValueError(
                'semi_train_cfg.det_teacher_background weighs each anchor of '
                'the strong view by the teacher at the same anchor of the '
                'weak view, so both views need one geometry (FixMatch*: '
                'shared crop, photometric strong view); the views of '
                f'{w.metainfo.get("img_path", f"unsupervised sample {k}")} '
                'differ')

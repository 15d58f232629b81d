"""Dense FixMatch / FixMatch* for semantic segmentation, in small steps."""
import inspect
from contextlib import contextmanager
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.structures import PixelData
from torch import Tensor

from mmseg.datasets.transforms import GenerateEdge
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from mmseg.utils import add_prefix
from ..utils.semi_batch import PseudoTargets, SemiBatch
from ..utils.view_geometry import (batch_frame_metas, stack_homographies,
                                   strong_ignore_region, valid_hw)
from ..utils.view_matching import warp_labels, warp_probs
from .semi_base import SemiBaseModel


def slice_batch(feats, index: Tensor):
    """``feats`` (a tensor, or lists / tuples / dicts of them, as backbones,
    necks and heads return) restricted to the samples ``index`` on dim 0."""
    if feats is None:
        return None
    if isinstance(feats, Tensor):
        return feats[index]
    if isinstance(feats, (list, tuple)):
        return type(feats)(slice_batch(f, index) for f in feats)
    if isinstance(feats, dict):
        return {k: slice_batch(v, index) for k, v in feats.items()}
    raise TypeError(f'cannot slice student outputs of type {type(feats)}')


def _as_list(heads) -> List[nn.Module]:
    if heads is None:
        return []
    return list(heads) if isinstance(heads, nn.ModuleList) else [heads]


#: Heads that cannot run once over the batch, so they run on each part's
#: sliced features instead: PointRend's ``loss`` runs its ``forward`` on
#: points it samples itself; MaskFormer's outputs are batch-second and its
#: ``loss`` adds the metadata its ``forward`` needs. Neither has BatchNorm.
PER_PART_HEADS = ('PointHead', 'MaskFormerHead')


class StudentForward(NamedTuple):
    """One student forward over the whole batch: backbone (+ neck) features
    and the output of every head that ran once over the batch."""
    feats: Any
    head_outputs: Dict[nn.Module, Any]


class UnsupBatch(NamedTuple):
    """The student's unsupervised part, as :meth:`SemiSegmentor.
    build_unsup_batch` makes it: ``inputs`` ``[n, 3, H, W]``, their data
    samples (pseudo-labels as ``gt_sem_seg``), the targets in the frame of
    ``inputs``, for the panels ``images`` (uint8 RGB ``[n, 3, H, W]`` of
    ``inputs``) when the inputs are not the strong views themselves, and
    ``log``: scalar tensors the step logs (e.g. how many samples mixed)."""
    inputs: Tensor
    data_samples: List
    targets: PseudoTargets
    images: Optional[Tensor] = None
    log: Optional[Dict[str, Tensor]] = None


class _Output:
    """Stands in for a head's ``forward``: returns a precomputed output."""

    def __init__(self, output):
        self.output = output

    def __call__(self, *args, **kwargs):
        return self.output


@contextmanager
def precomputed_forward(outputs: Dict[nn.Module, Any]):
    """Within the block, each head's ``forward`` returns the given output, so
    the head's own ``loss`` code (and the segmentor's, e.g. a cascade's)
    computes its losses from outputs computed once for the whole batch."""
    for head, out in outputs.items():
        head.forward = _Output(out)
    try:
        yield
    finally:
        for head in outputs:
            del head.forward


@MODELS.register_module()
class SemiSegmentor(SemiBaseModel):
    """Student + EMA teacher around an mmseg segmentor (Dense FixMatch).

    ``L = Ls + lambda * Lu``. ``Ls`` is the segmentor's own training loss
    (decode head(s) and auxiliary head(s)) on the labeled weak views. ``Lu``
    is the SAME loss on the strong views, with the teacher's pseudo-labels
    as ``gt_sem_seg``: the teacher's argmax on the weak view (threshold
    tau), brought into the strong frame by ``A o alpha^-1``
    (:func:`mmssl.models.utils.warp_labels`) and removed where the strong
    view's ignore region is. With ``CrossEntropyLoss(avg_non_ignore=True)``
    (the shipped configs) both are averaged over valid pixels only. The
    student runs one forward (backbone, neck and every head) over
    labeled-weak and strong inputs; each head's output is sliced per part and
    the head computes each loss with its own code, so every head takes part
    in every step whatever the batch's labels (DDP without
    ``find_unused_parameters``; the same SyncBN calls on every rank).
    FixMatch* is the same model with a photometric-only strong branch and
    one shared crop.

    A training step is :meth:`loss`, made of steps a method overrides one at
    a time (as mmdet's ``SoftTeacher`` overrides ``SemiBaseDetector``):

    1. :meth:`split_batch` - labeled / unsupervised indices;
    2. :meth:`make_pseudo_targets` - teacher on the weak views in the padded
       batch frame (:meth:`teacher_logits`), matched into the strong frame;
    3. :meth:`build_unsup_batch` - the student's unsupervised inputs and
       targets (:class:`UnsupBatch`; identity here, mixing methods mix
       them);
    4. :meth:`student_forward` - one student forward over both parts;
    5. :meth:`loss_sup` and :meth:`loss_unsup` (weighted by
       :meth:`unsup_loss_weight`), from the sliced outputs
       (:meth:`part_losses`);
    6. :meth:`publish` - pseudo-labels and counts for the hooks.

    Supported segmentors: mmseg ``EncoderDecoder`` and
    ``CascadeEncoderDecoder`` (e.g. OCRNet, PointRend), with no, one or a
    list of auxiliary heads, and decode heads whose ``forward`` takes the
    features (and, in a cascade, the previous stage's output, or for
    MaskFormer-style heads the data samples) and whose ``loss`` runs that
    ``forward`` and their own loss code: this covers heads with several
    outputs (DANet, PIDNet, DDRNet) and query-based heads (K-Net,
    MaskFormer, Mask2Former). Backbones and heads may return a tensor or
    lists / tuples / dicts of batch-first tensors. Heads in
    :data:`PER_PART_HEADS` run per part. Not supported: segmentors other
    than these two (e.g. SAN's ``MultimodalEncoderDecoder``). The 40 tested
    model-zoo families are listed in the README
    (``tests/test_model_zoo_wrap.py``).

    Args:
        segmentor: config of an mmseg segmentor.
        semi_train_cfg:
            ``pseudo_threshold`` (tau in [0, 1), default 0),
            ``unsup_on`` ('unlabeled' or 'all': which samples' strong views
            get Lu, default 'all'), ``unsup_weight`` (initial lambda; the
            ramp hook overrides it), ``edge_width`` (edge maps of
            pseudo-labels for heads with a boundary loss, default 3).
    """

    #: whether :meth:`make_pseudo_targets` also matches the teacher's
    #: probabilities (bilinear); methods with soft targets set it.
    needs_probs = False

    def __init__(self,
                 segmentor: dict,
                 data_preprocessor: Optional[dict] = None,
                 semi_train_cfg: Optional[dict] = None,
                 semi_test_cfg: Optional[dict] = None,
                 init_cfg=None):
        super().__init__(
            model=segmentor,
            data_preprocessor=data_preprocessor,
            semi_train_cfg=semi_train_cfg,
            semi_test_cfg=semi_test_cfg,
            init_cfg=init_cfg)
        self.pseudo_threshold = float(
            self.semi_train_cfg.get('pseudo_threshold', 0.0))
        if not 0.0 <= self.pseudo_threshold < 1.0:
            raise ValueError('semi_train_cfg.pseudo_threshold (tau) must be '
                             f'in [0, 1), got {self.pseudo_threshold}')
        filter_cfg = self.semi_train_cfg.get('pseudo_label_filter')
        self.pseudo_label_filter = (
            MODELS.build(filter_cfg) if filter_cfg is not None else None)
        head = self.student.decode_head
        last = head[-1] if isinstance(head, torch.nn.ModuleList) else head
        self.ignore_index = last.ignore_index
        self.num_classes = last.num_classes

    # ------------------------------------------------------------- step
    def loss(self, multi_batch_inputs: Dict[str, Tensor],
             multi_batch_data_samples: Dict[str, List]) -> dict:
        batch = self.split_batch(multi_batch_inputs, multi_batch_data_samples)
        targets = self.make_pseudo_targets(batch)
        unsup = self.build_unsup_batch(batch, targets)
        sup_x = batch.weak_inputs[batch.sup_idx]
        sup_ds = [batch.weak_samples[i] for i in batch.sup_idx.tolist()]
        fwd = self.student_forward(
            torch.cat([sup_x, unsup.inputs]), sup_ds + unsup.data_samples)
        device = sup_x.device
        n_sup = len(sup_ds)
        n_all = n_sup + len(unsup.data_samples)
        weight = self.unsup_loss_weight(unsup.targets)
        losses = dict()
        if n_sup:
            losses.update(
                self.loss_sup(fwd, torch.arange(n_sup, device=device),
                              sup_ds))
        if n_all > n_sup:
            losses.update(
                self.loss_unsup(fwd, torch.arange(n_sup, n_all,
                                                  device=device),
                                unsup.data_samples, unsup.targets, weight))
        losses.update(unsup.log or {})
        losses['unsup_weight'] = torch.as_tensor(
            weight, dtype=sup_x.dtype, device=device).detach()
        labels = unsup.targets.labels
        losses['pseudo_valid_frac'] = (
            (labels != self.ignore_index).float().mean()
            if labels.numel() else sup_x.new_zeros(()))
        self.publish(self.hook_info(batch, targets, unsup))
        return losses

    # ---------------------------------------------------- pseudo-targets
    @torch.no_grad()
    def teacher_logits(self, inputs: Tensor, data_samples: Sequence) -> Tensor:
        """Teacher logits ``[N, C, H, W]`` in the padded batch frame (the
        segmentor's own ``encode_decode``, with :func:`batch_frame_metas`)."""
        return self.teacher.encode_decode(
            inputs, batch_frame_metas(inputs, data_samples))

    def strong_ignore_region(self, strong_samples: Sequence,
                             shape: Tuple[int, int],
                             device: torch.device) -> Tensor:
        """See :func:`mmssl.models.utils.strong_ignore_region`."""
        return strong_ignore_region(strong_samples, shape, device,
                                    self.ignore_index)

    @torch.no_grad()
    def make_pseudo_targets(self, batch: SemiBatch) -> PseudoTargets:
        """Teacher targets for ``batch.unsup_idx`` in the strong frame."""
        idx = batch.unsup_idx
        sel = idx.tolist()
        strong_hw = tuple(batch.strong_inputs.shape[2:])
        weak_hw = tuple(batch.weak_inputs.shape[2:])
        device = batch.weak_inputs.device
        if not sel:
            empty = torch.zeros((0, ) + strong_hw, device=device)
            self.filter_pseudo_labels(empty.long(), empty, empty.bool())
            return PseudoTargets(
                labels=empty.long(),
                confidence=empty,
                valid=empty.bool(),
                weak_labels=torch.zeros((0, ) + weak_hw, device=device).long(),
                probs=(torch.zeros((0, self.num_classes) + strong_hw,
                                   device=device)
                       if self.needs_probs else None))
        w_ds = [batch.weak_samples[i] for i in sel]
        s_ds = [batch.strong_samples[i] for i in sel]
        probs = self.teacher_logits(batch.weak_inputs[idx],
                                    w_ds).float().softmax(dim=1)
        confidence, weak_labels = probs.max(dim=1)
        geometry = dict(
            src_h=stack_homographies(w_ds, device),
            dst_h=stack_homographies(s_ds, device),
            dst_shape=strong_hw,
            src_valid_shapes=[valid_hw(d) for d in w_ds])
        labels = warp_labels(
            weak_labels, ignore_index=self.ignore_index, **geometry)
        valid = labels != self.ignore_index
        valid &= ~self.strong_ignore_region(s_ds, strong_hw, device)
        confidence = warp_labels(confidence, ignore_index=0, **geometry)
        confidence = torch.where(valid, confidence,
                                 torch.zeros_like(confidence))
        keep = valid & (confidence >= self.pseudo_threshold)
        keep &= self.filter_pseudo_labels(labels, confidence, valid)
        labels = torch.where(keep, labels,
                             torch.full_like(labels, self.ignore_index))
        matched_probs = None
        if self.needs_probs:
            matched_probs, _ = warp_probs(probs, **geometry)
            matched_probs = matched_probs * valid.unsqueeze(1)
        return PseudoTargets(
            labels=labels,
            confidence=confidence,
            valid=valid,
            weak_labels=weak_labels,
            probs=matched_probs)

    def filter_pseudo_labels(self, labels: Tensor, confidence: Tensor,
                             valid: Tensor) -> Tensor:
        """``[n, H, W]`` bool: the pixels that
        ``semi_train_cfg.pseudo_label_filter`` keeps (all, without one). Called on every rank every step, with
        ``n = 0`` too, so a filter may all-reduce its statistics."""
        if self.pseudo_label_filter is None:
            return torch.ones_like(valid)
        return self.pseudo_label_filter(labels, confidence, valid)

    def build_unsup_batch(self, batch: SemiBatch,
                          targets: PseudoTargets) -> UnsupBatch:
        """The student's unsupervised inputs, their data samples with the
        pseudo-labels as ``gt_sem_seg``, and the targets in the frame of
        those inputs. Dense FixMatch: the strong views as they are; mixing
        methods mix inputs and targets here."""
        inputs = batch.strong_inputs[batch.unsup_idx]
        samples = [
            self.with_gt(batch.strong_samples[i], targets.labels[k])
            for k, i in enumerate(batch.unsup_idx.tolist())
        ]
        return UnsupBatch(inputs, samples, targets)

    def with_gt(self, sample: SegDataSample, labels: Tensor) -> SegDataSample:
        """A new data sample with ``sample``'s metainfo and ``labels``
        ``[H, W]`` as ``gt_sem_seg``. When ``sample`` carries a
        ``gt_edge_map`` (heads with a boundary loss, e.g. PIDNet; mmseg's
        ``GenerateEdge`` in the pipeline), the edge map of the pseudo-labels
        is made the same way (``GenerateEdge`` with
        ``semi_train_cfg.edge_width``, default 3 as mmseg's)."""
        out = SegDataSample(metainfo=sample.metainfo)
        out.gt_sem_seg = PixelData(data=labels[None])
        if 'gt_edge_map' in sample:
            edge = GenerateEdge(
                edge_width=self.semi_train_cfg.get('edge_width', 3),
                ignore_index=self.ignore_index).transform(
                    dict(
                        img_shape=tuple(labels.shape),
                        gt_seg_map=labels.cpu().numpy()))['gt_edge_map']
            out.gt_edge_map = PixelData(
                data=torch.from_numpy(edge)[None].long().to(labels.device))
        return out

    # ------------------------------------------------------------ student
    def student_forward(self, inputs: Tensor,
                        data_samples: List) -> StudentForward:
        """One forward of the student's backbone (+ neck) and of every head
        (decode stages, auxiliary heads) over the whole batch, as mmseg's
        supervised step does: batch statistics see the whole batch, every
        rank calls every head once per step (SyncBN), and every parameter
        takes part (DDP) whatever the batch's labels."""
        student = self.student
        feats = student.extract_feat(inputs)
        outputs = dict()
        prev = None
        for head in _as_list(student.decode_head):
            if type(head).__name__ in PER_PART_HEADS:
                break  # it and the stages after it run per part
            prev = self._head_forward(head, feats, prev, data_samples)
            outputs[head] = prev
        for head in _as_list(getattr(student, 'auxiliary_head', None)):
            outputs[head] = self._head_forward(head, feats, None, data_samples)
        return StudentForward(feats, outputs)

    @staticmethod
    def _head_forward(head: nn.Module, feats, prev, data_samples):
        params = inspect.signature(head.forward).parameters
        if 'batch_data_samples' in params:  # MaskFormer / Mask2Former
            return head(feats, data_samples)
        if prev is not None:  # cascade stage: forward(inputs, prev_output)
            return head(feats, prev)
        return head(feats)

    def part_losses(self, fwd: StudentForward, index: Tensor,
                    data_samples: List) -> dict:
        """The student segmentor's own training losses (decode heads,
        cascades and auxiliary heads) for the samples ``index`` of the
        forward, each head computing its loss with its own code from its
        sliced output."""
        student = self.student
        feats = slice_batch(fwd.feats, index)
        sliced = {
            head: slice_batch(out, index)
            for head, out in fwd.head_outputs.items()
        }
        with precomputed_forward(sliced):
            losses = student._decode_head_forward_train(feats, data_samples)
            if student.with_auxiliary_head:
                losses.update(
                    student._auxiliary_head_forward_train(
                        feats, data_samples))
        return losses

    def loss_sup(self, fwd: StudentForward, index: Tensor,
                 data_samples: List) -> dict:
        """``Ls``: the segmentor's losses on the labeled weak views."""
        return add_prefix(self.part_losses(fwd, index, data_samples), 'sup')

    def loss_unsup(self, fwd: StudentForward, index: Tensor,
                   data_samples: List, targets: PseudoTargets,
                   weight) -> dict:
        """``lambda * Lu``: the segmentor's losses with the pseudo-labels as
        ground truth; every entry named ``*loss*`` is multiplied by
        ``weight`` (:meth:`unsup_loss_weight`), other entries (accuracies)
        are logged."""
        losses = self.part_losses(fwd, index, data_samples)
        return add_prefix(
            {
                k: v * weight if 'loss' in k else v
                for k, v in losses.items()
            }, 'unsup')

    def unsup_loss_weight(self, targets: PseudoTargets):
        """lambda: the ramp hook's current value (a float, or a tensor for
        methods whose weight depends on the targets)."""
        return self.unsup_weight

    # -------------------------------------------------------------- hooks
    def hook_info(self, batch: SemiBatch, targets: PseudoTargets,
                  unsup: UnsupBatch) -> dict:
        """What :class:`PseudoLabelVisualizationHook` shows: indices into
        the batch, the teacher's argmax in the weak frame, the targets the
        student is trained on and its inputs (``student_images``: those
        inputs as uint8 RGB when they differ from the strong views, e.g.
        mixed), and the class counts of those targets (on device)."""
        labels = unsup.targets.labels
        # ignored pixels counted in an extra bin that is dropped: no
        # data-dependent shape, so no device synchronisation
        counts = torch.bincount(
            labels.flatten().clamp(max=self.num_classes),
            minlength=self.num_classes + 1)[:self.num_classes]
        info = dict(
            index=batch.unsup_idx.tolist(),
            weak_labels=targets.weak_labels,
            pseudo_labels=labels,
            student_inputs=unsup.inputs.detach(),
            class_counts=counts,
            num_classes=self.num_classes,
            ignore_index=self.ignore_index)
        if unsup.images is not None:
            info['student_images'] = unsup.images
        return info

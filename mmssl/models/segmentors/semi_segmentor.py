"""Dense FixMatch / FixMatch* for semantic segmentation, in small steps."""
import inspect
from typing import Any, Dict, List, NamedTuple, Sequence, Tuple

import torch
import torch.nn as nn
from mmdet.models.utils import reweight_loss_dict
from mmengine.structures import PixelData
from torch import Tensor

from mmseg.datasets.transforms import GenerateEdge
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from mmseg.utils import add_prefix
from ..core import SemiBaseModel
from ..utils.feature_perturbation import cat_batch
from ..utils.head_outputs import (PER_PART_HEADS, head_list,
                                  precomputed_forward, slice_batch)
from ..utils.seg_pseudo_labels import (match_seg_pseudo_labels,
                                       pseudo_valid_frac, seg_hook_info)
from ..utils.semi_batch import PseudoTargets, SemiBatch, UnsupBatch
from ..utils.view_geometry import batch_frame_metas


class StudentForward(NamedTuple):
    """One student forward over the whole batch: backbone (+ neck) features
    and the output of every head that ran once over the batch."""
    feats: Any
    head_outputs: Dict[nn.Module, Any]


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

    The training step is the core's template (:meth:`SemiBaseModel.loss`);
    this class fills its steps for an mmseg segmentor:
    :meth:`make_pseudo_targets` runs the teacher on the weak views in the
    padded batch frame (:meth:`teacher_logits`) and matches its output with
    :func:`mmssl.models.utils.match_seg_pseudo_labels` (tau, then
    ``pseudo_label_filter``); :meth:`build_unsup_batch` is the identity
    (mixing methods mix there); :meth:`student_forward` runs every head once
    over the batch; :meth:`loss_sup` / :meth:`loss_unsup` slice the outputs
    per part (:meth:`part_losses`).

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
            pseudo-labels for heads with a boundary loss, default 3),
            ``teacher`` ('ema', default: an EMA copy of the student, kept
            by ``EMATeacherHook``; 'student': no second model, the student
            makes the pseudo-labels in eval mode and predicts, e.g.
            UniMatch; use no ``EMATeacherHook`` then).
    """

    semi_train_keys = ('pseudo_threshold', 'edge_width', 'teacher')

    def __init__(self, segmentor: dict, **kwargs):
        super().__init__(model=segmentor, **kwargs)
        self.pseudo_threshold = float(
            self.semi_train_cfg.get('pseudo_threshold', 0.0))
        if not 0.0 <= self.pseudo_threshold < 1.0:
            raise ValueError('semi_train_cfg.pseudo_threshold (tau) must be '
                             f'in [0, 1), got {self.pseudo_threshold}')
        last = head_list(self.student.decode_head)[-1]
        self.ignore_index = last.ignore_index
        self.num_classes = last.num_classes

    # ---------------------------------------------------- pseudo-targets
    @torch.no_grad()
    def teacher_logits(self, inputs: Tensor, data_samples: Sequence) -> Tensor:
        """Teacher logits ``[N, C, H, W]`` in the padded batch frame (the
        segmentor's own ``encode_decode``, with :func:`batch_frame_metas`)."""
        with self.teacher_eval():
            return self.teacher.encode_decode(
                inputs, batch_frame_metas(inputs, data_samples))

    @torch.no_grad()
    def make_pseudo_targets(self, batch: SemiBatch) -> PseudoTargets:
        """Teacher targets for ``batch.unsup_idx`` in the strong frame."""
        idx = batch.unsup_idx
        w_ds = [batch.weak_samples[i] for i in idx.tolist()]
        if w_ds:
            probs = self.teacher_logits(batch.weak_inputs[idx],
                                        w_ds).float().softmax(dim=1)
        else:  # the filter still runs (it may all-reduce statistics)
            probs = batch.weak_inputs.new_zeros(
                (0, self.num_classes) + tuple(batch.weak_inputs.shape[2:]))
        return match_seg_pseudo_labels(
            probs,
            w_ds, [batch.strong_samples[i] for i in idx.tolist()],
            tuple(batch.strong_inputs.shape[2:]),
            ignore_index=self.ignore_index,
            threshold=self.pseudo_threshold,
            label_filter=self.pseudo_label_filter,
            with_probs=self.needs_probs)

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
        feats = self.student.extract_feat(inputs)
        return StudentForward(feats, self.heads_forward(feats, data_samples))

    def heads_forward(self, feats, data_samples: List) -> Dict[nn.Module, Any]:
        """Every student head that runs once over the batch (decode stages
        up to the first of :data:`PER_PART_HEADS`, auxiliary heads) on the
        backbone (+ neck) features ``feats``: head -> its output."""
        student = self.student
        outputs = dict()
        prev = None
        for head in head_list(student.decode_head):
            if type(head).__name__ in PER_PART_HEADS:
                break  # it and the stages after it run per part
            prev = self._head_forward(head, feats, prev, data_samples)
            outputs[head] = prev
        for head in head_list(getattr(student, 'auxiliary_head', None)):
            outputs[head] = self._head_forward(head, feats, None, data_samples)
        return outputs

    def perturbed_student_forward(
            self,
            inputs: Tensor,
            data_samples: List,
            perturb,
            batching: str = 'concat'
    ) -> Tuple[StudentForward, StudentForward]:
        """The feature-perturbation seam: one backbone (+ neck) forward,
        then the heads on the clean features and on ``perturb(feats)``
        (e.g. :class:`mmssl.models.utils.FeatureDropout`), for any mmseg
        ``EncoderDecoder`` / ``CascadeEncoderDecoder``: the perturbation
        sits between ``extract_feat`` and the heads, whatever they are.

        ``batching='concat'`` runs every head ONCE on the clean and the
        perturbed features stacked on the batch dimension (as UniMatch's
        DeepLabv3+ ``forward(need_fp=True)`` decodes
        ``torch.cat((c, dropout(c)))``: the heads' BatchNorm sees both);
        ``'separate'`` runs the heads twice. Returns the clean and the
        perturbed :class:`StudentForward` (features and head outputs of the
        ``len(inputs)`` samples each); both feed :meth:`part_losses`, and
        heads in :data:`PER_PART_HEADS` run there on the respective
        features."""
        if batching not in ('concat', 'separate'):
            raise ValueError("batching must be 'concat' or 'separate', got "
                             f'{batching!r}')
        feats = self.student.extract_feat(inputs)
        perturbed = perturb(feats)
        if batching == 'separate':
            return (StudentForward(feats,
                                   self.heads_forward(feats, data_samples)),
                    StudentForward(perturbed,
                                   self.heads_forward(perturbed,
                                                      data_samples)))
        n = len(inputs)
        both = self.heads_forward(
            cat_batch(feats, perturbed),
            list(data_samples) + list(data_samples))
        clean_idx = torch.arange(n, device=inputs.device)
        pert_idx = torch.arange(n, 2 * n, device=inputs.device)
        return (StudentForward(
            feats, {h: slice_batch(o, clean_idx)
                    for h, o in both.items()}),
                StudentForward(
                    perturbed,
                    {h: slice_batch(o, pert_idx)
                     for h, o in both.items()}))

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
        """``Ls``: the segmentor's losses on the labeled weak views (none
        when the batch has no labeled sample)."""
        if not len(index):
            return dict()
        return add_prefix(self.part_losses(fwd, index, data_samples), 'sup')

    def loss_unsup(self, fwd: StudentForward, index: Tensor,
                   data_samples: List, targets: PseudoTargets,
                   weight) -> dict:
        """``lambda * Lu``: the segmentor's losses with the pseudo-labels as
        ground truth; every entry named ``*loss*`` is multiplied by
        ``weight`` (:meth:`unsup_loss_weight`), other entries (accuracies)
        are logged."""
        if not len(index):
            return dict()
        losses = self.part_losses(fwd, index, data_samples)
        return add_prefix(reweight_loss_dict(losses, weight), 'unsup')

    # -------------------------------------------------------------- hooks
    def pseudo_label_stats(self, unsup: UnsupBatch, ref: Tensor) -> dict:
        """``pseudo_valid_frac``: the fraction of the student's target
        pixels that carry a pseudo-label."""
        return dict(
            pseudo_valid_frac=pseudo_valid_frac(unsup.targets.labels,
                                                self.ignore_index, ref))

    def hook_info(self, batch: SemiBatch, targets: PseudoTargets,
                  unsup: UnsupBatch) -> dict:
        """What :class:`PseudoLabelVisualizationHook` shows: the core's
        indices and student inputs, the teacher's argmax in the weak frame,
        the targets the student is trained on and their class counts."""
        info = super().hook_info(batch, targets, unsup)
        info.update(
            seg_hook_info(targets, unsup.targets.labels, self.num_classes,
                          self.ignore_index))
        return info

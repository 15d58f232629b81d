"""UniMatch (Yang et al., "Revisiting Weak-to-Strong Consistency in
Semi-Supervised Semantic Segmentation", CVPR 2023) as a strategy of the
semi-supervised core."""
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import List, NamedTuple, Optional

import torch
from mmdet.models.utils import reweight_loss_dict
from mmengine.logging import print_log
from torch import Tensor

from mmseg.registry import MODELS, TASK_UTILS
from mmseg.structures import SegDataSample
from mmseg.structures.sampler import BasePixelSampler
from mmseg.utils import add_prefix
from ..mixing import choose_partners, mix
from ..utils.head_outputs import head_list, precomputed_forward, slice_batch
from ..utils.input_normalisation import input_normalisation, to_uint8_rgb
from ..utils.seg_pseudo_labels import match_seg_pseudo_labels, seg_hook_info
from ..utils.semi_batch import PseudoTargets, SemiBatch, UnsupBatch
from ..utils.view_geometry import batch_frame_metas, valid_hw
from .semi_segmentor import SemiSegmentor, StudentForward

#: metainfo key marking the student's unsupervised inputs: the weak view
#: (clean + feature-perturbed stream) and the two mixed strong views
VIEW_KEY = 'unimatch_view'
STRONG_VIEWS = ('s1', 's2')
PARTNER_MODES = ('shared', 'independent')

#: the official weights: ``loss = (loss_x + loss_u_s1 * 0.25 + loss_u_s2 *
#: 0.25 + loss_u_w_fp * 0.5) / 2.0`` (unimatch.py)
DEFAULT_STREAM_WEIGHTS = dict(sup=1.0, s1=0.25, s2=0.25, fp=0.5)


@dataclass
class UniMatchBatch(SemiBatch):
    """:class:`SemiBatch` with the second strong branch (``strong2``)."""
    strong2_inputs: Optional[Tensor] = None
    strong2_samples: Optional[List] = None


@dataclass
class UniMatchTargets:
    """What the steps of a UniMatch iteration hand each other.

    ``eval_s1`` / ``eval_s2``: the model's EVAL-mode predictions on the
    weak views matched into the strong views' frames (the mixing partners'
    pseudo-labels, as the official ``pred_u_w_mix`` under
    ``model.eval()``); ``partner*`` / ``mask*``: each strong view's CutMix
    partner (index into the unsupervised samples) and mask (True = own
    pixels). The rest is filled by :meth:`UniMatch.loss_unsup` from the
    TRAIN-mode forward of the weak views: ``fp`` (weak frame), ``s1`` and
    ``s2`` (mixed, strong frames) and ``weak_labels``.
    """
    eval_s1: PseudoTargets
    eval_s2: PseudoTargets
    weak_inputs: Tensor
    weak_samples: List
    s1_samples: List
    s2_samples: List
    partner1: Optional[Tensor] = None
    mask1: Optional[Tensor] = None
    partner2: Optional[Tensor] = None
    mask2: Optional[Tensor] = None
    fp: Optional[PseudoTargets] = None
    s1: Optional[PseudoTargets] = None
    s2: Optional[PseudoTargets] = None


class UniMatchForward(NamedTuple):
    """The student's forwards of one step: ``clean`` and ``fp`` (labeled
    weak views, then unsupervised weak views; heads on clean and on
    perturbed features), ``strong`` (mixed s1, then mixed s2; None without
    unsupervised samples) and ``n_first`` (samples in ``clean``)."""
    clean: StudentForward
    fp: StudentForward
    strong: Optional[StudentForward]
    n_first: int


def mix_pair(own: PseudoTargets, other: PseudoTargets, partner: Tensor,
             mask: Tensor, ignore_index: int) -> PseudoTargets:
    """Targets of mixed images whose own pixels (``mask`` True) take
    ``own`` and pasted pixels take ``other[partner]``: as
    :func:`mmssl.models.mixing.mix_targets`, with the two parts from
    different predictions (UniMatch: own part from the train-mode forward,
    the partner's from the eval-mode one)."""
    partner = partner.to(mask.device)
    valid = mix(own.valid, other.valid[partner], mask)
    labels = mix(own.labels, other.labels[partner], mask)
    labels = torch.where(valid, labels, torch.full_like(labels, ignore_index))
    confidence = mix(own.confidence, other.confidence[partner], mask)
    confidence = torch.where(valid, confidence, torch.zeros_like(confidence))
    return PseudoTargets(
        labels=labels,
        confidence=confidence,
        valid=valid,
        weak_labels=own.weak_labels)


def kept_fraction(targets: PseudoTargets, ignore_index: int) -> Tensor:
    """Pixels with a pseudo-label (confidence >= tau) over the valid pixels
    (not padding / outside the view), over the whole batch: turns a loss
    averaged over labeled pixels into the official average over valid
    ones (``loss.sum() / (ignore_mask != 255).sum()``). 0 without pixels."""
    kept = (targets.labels != ignore_index).sum().float()
    return kept / targets.valid.sum().clamp(min=1).float()


@contextmanager
def _precomputed_feats(segmentor, feats):
    segmentor.extract_feat = lambda *args, **kwargs: feats
    try:
        yield
    finally:
        del segmentor.extract_feat


@contextmanager
def _without_samplers(heads):
    """mmseg pixel samplers (e.g. OHEM) off: the official unsupervised
    criterion is a plain per-pixel cross-entropy; the sampler stays on
    ``Ls``. Other ``sampler`` attributes (Mask2Former's mmdet mask
    sampler) are the head's own loss machinery and stay."""
    saved = [
        h for h in heads
        if isinstance(getattr(h, 'sampler', None), BasePixelSampler)
    ]
    samplers = [h.sampler for h in saved]
    for h in saved:
        h.sampler = None
    try:
        yield
    finally:
        for h, sampler in zip(saved, samplers):
            h.sampler = sampler


#: heads whose ``forward`` returns more in training than at inference:
#: the part of the training output that ``predict`` reads (their
#: ``forward`` in eval mode): PIDNet's integral branch, DDRNet's main
#: branch, K-Net's last stage
INFERENCE_OUTPUT = dict(
    PIDHead=lambda out: out[1],
    DDRHead=lambda out: out[0],
    IterativeDecodeHead=lambda out: out[-1])


@MODELS.register_module()
class UniMatch(SemiSegmentor):
    """UniMatch (V1): weak-to-strong consistency with two strong views
    and a feature-perturbation stream, the model labelling itself.

    One iteration, as the official ``unimatch.py`` does it:

    * the model in EVAL mode predicts the weak views of the unsupervised
      samples (:meth:`make_pseudo_targets`, through the core's
      ``teacher='student'`` setting): these are the pseudo-labels of the
      pixels pasted from a mixing partner (official: ``pred_u_w_mix``);
    * each of the two strong views (``strong``, ``strong2``: independent
      photometric ops on one crop, :class:`mmssl.datasets.SemiViews`
      ``strong2``) gets its own CutMix box (:class:`UniMatchCutMixMaskGenerator`)
      and the pixels of a partner's same-branch strong view
      (:meth:`build_unsup_batch`);
    * the student (TRAIN mode) runs on the labeled and unsupervised weak
      views with the feature-perturbation seam
      (:meth:`SemiSegmentor.perturbed_student_forward`: heads on clean and
      on dropped-out features, stacked in one batch as the official
      ``need_fp``), and once on the two mixed strong views;
    * the clean train-mode weak predictions (detached, official
      ``pred_u_w``) give the pseudo-labels of the own pixels and of the
      feature-perturbation stream (:meth:`loss_unsup`);
    * ``L = scale * (w_x Ls + lambda (w_s1 L_s1 + w_s2 L_s2 + w_fp L_fp))``
      with the official ``(1, 0.25, 0.25, 0.5)`` and ``scale = 1/2``; each
      unsupervised term is the heads' own loss on the pseudo-labels with
      confidence >= ``pseudo_threshold``, rescaled from the average over
      those pixels to the official average over ALL valid pixels (those
      below the threshold count in the denominator). This equality needs
      losses averaged over non-ignored pixels
      (``CrossEntropyLoss(avg_non_ignore=True)``); pixel samplers (OHEM)
      act on ``Ls`` only.

    Differences from the official code (see ``docs/unimatch.md``): the
    mixing partner is another unlabeled image of the same batch (official:
    the same index of a second, independently shuffled unlabeled batch);
    the strong views and the weak view may differ geometrically (pseudo-
    labels are matched by the core).

    ``semi_train_cfg`` keys (besides the core's; ``teacher`` is fixed to
    ``'student'``, ``pseudo_threshold`` is the official ``conf_thresh``):

    * ``mask_generator``: ``TASK_UTILS`` config with a partner, default
      :class:`UniMatchCutMixMaskGenerator`;
    * ``feature_perturbation``: ``MODELS`` config, default
      ``FeatureDropout(p=0.5)``;
    * ``fp_batching``: ``'concat'`` (official) or ``'separate'``;
    * ``partners``: ``'shared'`` (official: both strong views take the
      same partner image, each its own view of it) or ``'independent'``
      (each strong view draws its own partner);
    * ``stream_weights``: dict with ``sup``, ``s1``, ``s2``, ``fp``;
    * ``loss_scale``: the official ``/ 2.0``.
    """

    semi_train_keys = ('mask_generator', 'feature_perturbation',
                       'fp_batching', 'partners', 'stream_weights',
                       'loss_scale')

    def __init__(self, segmentor: dict, semi_train_cfg=None, **kwargs):
        cfg = dict(semi_train_cfg or {})
        cfg.setdefault('teacher', 'student')
        super().__init__(segmentor, semi_train_cfg=cfg, **kwargs)
        if not self.teacher_is_student:
            raise ValueError("UniMatch predicts pseudo-labels with the model "
                             "itself: semi_train_cfg.teacher must be "
                             "'student'")
        if self.pseudo_label_filter is not None:
            raise ValueError('UniMatch does not support '
                             'semi_train_cfg.pseudo_label_filter yet')
        self.mask_generator = TASK_UTILS.build(
            cfg.get('mask_generator',
                    dict(type='UniMatchCutMixMaskGenerator')))
        if not getattr(self.mask_generator, 'needs_partner', False):
            raise ValueError('UniMatch needs a mask generator that mixes '
                             'with a partner (CutMix / ClassMix)')
        self.feature_perturbation = MODELS.build(
            cfg.get('feature_perturbation', dict(type='FeatureDropout',
                                                 p=0.5)))
        self.fp_batching = cfg.get('fp_batching', 'concat')
        if self.fp_batching not in ('concat', 'separate'):
            raise ValueError("semi_train_cfg.fp_batching must be 'concat' or"
                             f" 'separate', got {self.fp_batching!r}")
        self.partners = cfg.get('partners', 'shared')
        if self.partners not in PARTNER_MODES:
            raise ValueError(f'semi_train_cfg.partners must be one of '
                             f'{PARTNER_MODES}, got {self.partners!r}')
        weights = dict(DEFAULT_STREAM_WEIGHTS)
        unknown = set(cfg.get('stream_weights', {})) - set(weights)
        if unknown:
            raise ValueError(f'semi_train_cfg.stream_weights: unknown '
                             f'{sorted(unknown)}; allowed {sorted(weights)}')
        weights.update(cfg.get('stream_weights', {}))
        self.stream_weights = {k: float(v) for k, v in weights.items()}
        self.loss_scale = float(cfg.get('loss_scale', 0.5))
        self._warn_loss_averaging()

    def _all_heads(self):
        return (head_list(self.student.decode_head) +
                head_list(getattr(self.student, 'auxiliary_head', None)))

    def _warn_loss_averaging(self):
        for head in self._all_heads():
            losses = getattr(head, 'loss_decode', [])
            losses = losses if isinstance(losses,
                                          torch.nn.ModuleList) else [losses]
            for loss in losses:
                if (type(loss).__name__ == 'CrossEntropyLoss'
                        and not getattr(loss, 'avg_non_ignore', True)):
                    print_log(
                        f'UniMatch: {type(head).__name__} uses '
                        'CrossEntropyLoss(avg_non_ignore=False); the '
                        'official normalisation (sum over confident pixels '
                        '/ valid pixels) needs avg_non_ignore=True',
                        logger='current', level=30)

    def _panel_images(self, inputs: Tensor) -> Optional[Tensor]:
        """The mixed s1 images as uint8 RGB, for the panels."""
        norm = input_normalisation(self.data_preprocessor)
        return None if norm is None else to_uint8_rgb(inputs, norm)

    # ------------------------------------------------------------- steps
    def split_batch(self, multi_batch_inputs, multi_batch_data_samples):
        """The core's split plus the ``strong2`` branch."""
        if 'strong2' not in multi_batch_inputs:
            raise KeyError(
                "UniMatch needs a second strong view: branch 'strong2' "
                '(SemiViews(..., strong2=[...]))')
        base = super().split_batch(multi_batch_inputs,
                                   multi_batch_data_samples)
        return UniMatchBatch(
            **{f.name: getattr(base, f.name)
               for f in fields(SemiBatch)},
            strong2_inputs=multi_batch_inputs['strong2'],
            strong2_samples=multi_batch_data_samples['strong2'])

    @torch.no_grad()
    def make_pseudo_targets(self, batch: UniMatchBatch) -> UniMatchTargets:
        """The model in eval mode on the unsupervised weak views, matched
        into both strong frames (the partners' pseudo-labels)."""
        idx = batch.unsup_idx
        sel = idx.tolist()
        w_ds = [batch.weak_samples[i] for i in sel]
        s1_ds = [batch.strong_samples[i] for i in sel]
        s2_ds = [batch.strong2_samples[i] for i in sel]
        if sel:
            probs = self.teacher_logits(batch.weak_inputs[idx],
                                        w_ds).float().softmax(dim=1)
        else:
            probs = batch.weak_inputs.new_zeros(
                (0, self.num_classes) + tuple(batch.weak_inputs.shape[2:]))
        common = dict(
            ignore_index=self.ignore_index, threshold=self.pseudo_threshold)
        return UniMatchTargets(
            eval_s1=match_seg_pseudo_labels(
                probs, w_ds, s1_ds, tuple(batch.strong_inputs.shape[2:]),
                **common),
            eval_s2=match_seg_pseudo_labels(
                probs, w_ds, s2_ds, tuple(batch.strong2_inputs.shape[2:]),
                **common),
            weak_inputs=batch.weak_inputs[idx],
            weak_samples=w_ds,
            s1_samples=s1_ds,
            s2_samples=s2_ds)

    def _partner_masks(self, samples: List, labels: Tensor,
                       partner: Optional[Tensor]):
        mask = self.mask_generator(labels, [valid_hw(ds) for ds in samples],
                                   self.num_classes)
        if partner is None:
            keys = [
                ds.metainfo.get('img_path', k) for k, ds in enumerate(samples)
            ]
            partner, paired = choose_partners(keys)
        else:
            paired = partner != torch.arange(len(partner))
        # an unpaired sample keeps its own pixels everywhere
        mask = mask | ~paired.to(mask.device).view(-1, 1, 1)
        return partner, paired, mask

    def build_unsup_batch(self, batch: UniMatchBatch,
                          targets: UniMatchTargets) -> UnsupBatch:
        """The student's unsupervised inputs: the weak views (clean and
        feature-perturbed stream), then the two strong views, each mixed
        with its own box and partner."""
        idx = batch.unsup_idx
        sel = idx.tolist()
        weak = batch.weak_inputs[idx]
        if not sel:
            return UnsupBatch(weak, [], targets)
        s1 = batch.strong_inputs[idx]
        s2 = batch.strong2_inputs[idx]
        p1, paired1, m1 = self._partner_masks(targets.s1_samples,
                                              targets.eval_s1.labels, None)
        p2, _, m2 = self._partner_masks(
            targets.s2_samples, targets.eval_s2.labels,
            p1 if self.partners == 'shared' else None)
        targets.partner1, targets.mask1 = p1, m1
        targets.partner2, targets.mask2 = p2, m2
        s1m = mix(s1, s1[p1.to(s1.device)], m1)
        s2m = mix(s2, s2[p2.to(s2.device)], m2)
        samples = [
            self._marked(ds, view)
            for view, group in (('weak', targets.weak_samples),
                                ('s1', targets.s1_samples),
                                ('s2', targets.s2_samples)) for ds in group
        ]
        return UnsupBatch(
            torch.cat([weak, s1m, s2m]),
            samples,
            targets,
            images=self._panel_images(s1m),
            log=dict(mix_paired_frac=paired1.float().mean().to(weak.device)))

    @staticmethod
    def _marked(ds: SegDataSample, view: str) -> SegDataSample:
        out = SegDataSample(metainfo=ds.metainfo)
        out.set_metainfo({VIEW_KEY: view})
        return out

    def student_forward(self, inputs: Tensor,
                        data_samples: List) -> UniMatchForward:
        """Weak views (labeled, then unsupervised) through the feature-
        perturbation seam, then one forward of the two mixed strong views
        (official: ``model(torch.cat((img_x, img_u_w)), True)`` and
        ``model(torch.cat((img_u_s1, img_u_s2)))``)."""
        n_strong = sum(
            ds.metainfo.get(VIEW_KEY) in STRONG_VIEWS for ds in data_samples)
        n_first = len(inputs) - n_strong
        clean, perturbed = self.perturbed_student_forward(
            inputs[:n_first], data_samples[:n_first],
            self.feature_perturbation, self.fp_batching)
        strong = None
        if n_strong:
            strong = super().student_forward(inputs[n_first:],
                                             data_samples[n_first:])
        return UniMatchForward(clean, perturbed, strong, n_first)

    def loss_sup(self, fwd: UniMatchForward, index: Tensor,
                 data_samples: List) -> dict:
        if not len(index):
            return dict()
        losses = self.part_losses(fwd.clean, index, data_samples)
        return add_prefix(
            reweight_loss_dict(losses,
                               self.stream_weights['sup'] * self.loss_scale),
            'sup')

    @torch.no_grad()
    def weak_probs(self, fwd: StudentForward, index: Tensor, inputs: Tensor,
                   data_samples: List) -> Tensor:
        """Softmax of the TRAIN-mode clean forward for the samples
        ``index`` of ``fwd``, in the padded batch frame of ``inputs``: the
        segmentor's own ``encode_decode`` on the precomputed features and
        head outputs (official: ``pred_u_w.detach()``)."""
        student = self.student
        sliced = {h: slice_batch(o, index) for h, o in fwd.head_outputs.items()}
        last = head_list(student.decode_head)[-1]
        adapt = INFERENCE_OUTPUT.get(type(last).__name__)
        if adapt is not None and last in sliced:
            sliced[last] = adapt(sliced[last])
        with precomputed_forward(sliced), _precomputed_feats(
                student, slice_batch(fwd.feats, index)):
            logits = student.encode_decode(
                inputs, batch_frame_metas(inputs, data_samples))
        return logits.float().softmax(dim=1)

    def loss_unsup(self, fwd: UniMatchForward, index: Tensor,
                   data_samples: List, targets: UniMatchTargets,
                   weight) -> dict:
        """The three unsupervised streams, each the heads' own loss on its
        pseudo-labels, rescaled to the official normalisation and
        weighted."""
        n = len(targets.weak_samples)
        if not n:
            return dict()
        device = targets.weak_inputs.device
        n_sup = fwd.n_first - n
        w_idx = torch.arange(n_sup, fwd.n_first, device=device)
        probs = self.weak_probs(fwd.clean, w_idx, targets.weak_inputs,
                                targets.weak_samples)
        common = dict(
            ignore_index=self.ignore_index, threshold=self.pseudo_threshold)
        with torch.no_grad():
            targets.fp = match_seg_pseudo_labels(
                probs, targets.weak_samples, targets.weak_samples,
                tuple(targets.weak_inputs.shape[2:]), **common)
            own_s1 = match_seg_pseudo_labels(
                probs, targets.weak_samples, targets.s1_samples,
                tuple(targets.eval_s1.labels.shape[1:]), **common)
            own_s2 = match_seg_pseudo_labels(
                probs, targets.weak_samples, targets.s2_samples,
                tuple(targets.eval_s2.labels.shape[1:]), **common)
            targets.s1 = mix_pair(own_s1, targets.eval_s1, targets.partner1,
                                  targets.mask1, self.ignore_index)
            targets.s2 = mix_pair(own_s2, targets.eval_s2, targets.partner2,
                                  targets.mask2, self.ignore_index)
        streams = (
            ('fp', fwd.fp, w_idx, targets.weak_samples, targets.fp),
            ('s1', fwd.strong, torch.arange(n, device=device),
             targets.s1_samples, targets.s1),
            ('s2', fwd.strong, torch.arange(n, 2 * n, device=device),
             targets.s2_samples, targets.s2),
        )
        losses = dict()
        with _without_samplers(self._all_heads()):
            for name, part_fwd, part_idx, samples, tgt in streams:
                gt_samples = [
                    self.with_gt(ds, tgt.labels[k])
                    for k, ds in enumerate(samples)
                ]
                part = self.part_losses(part_fwd, part_idx, gt_samples)
                factor = (
                    kept_fraction(tgt, self.ignore_index) * weight *
                    self.stream_weights[name] * self.loss_scale)
                losses.update(
                    add_prefix(reweight_loss_dict(part, factor),
                               f'unsup_{name}'))
        return losses

    # -------------------------------------------------------------- hooks
    def pseudo_label_stats(self, unsup: UnsupBatch, ref: Tensor) -> dict:
        """``mask_ratio`` (official): weak-view pixels whose train-mode
        confidence reaches tau, over the valid ones."""
        targets = unsup.targets
        if targets.fp is None:
            return dict(mask_ratio=ref.new_zeros(()))
        return dict(
            mask_ratio=kept_fraction(targets.fp, self.ignore_index).detach())

    def hook_info(self, batch: UniMatchBatch, targets: UniMatchTargets,
                  unsup: UnsupBatch) -> dict:
        """The panels show the first strong view: its mixed input and its
        mixed pseudo-labels; the weak panel shows the train-mode argmax."""
        n = len(targets.weak_samples)
        info = dict(
            index=batch.unsup_idx.tolist(),
            student_inputs=unsup.inputs[n:2 * n].detach())
        if unsup.images is not None:
            info['student_images'] = unsup.images
        if targets.s1 is not None:
            info.update(
                seg_hook_info(targets.fp, targets.s1.labels, self.num_classes,
                              self.ignore_index))
        return info

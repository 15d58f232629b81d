"""What UniMatch (V1) and UniMatch V2 share on the semi-supervised core:
two strong views of each unlabeled image, each mixed with its own CutMix
box and partner, trained on the weak view's pseudo-labels mixed with the
same masks (Yang et al., CVPR 2023; Yang et al., TPAMI 2025,
arXiv:2410.10777)."""
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Dict, List, Optional, Tuple

import torch
from mmdet.models.utils import reweight_loss_dict
from mmengine.logging import print_log
from torch import Tensor

from mmseg.registry import MODELS, TASK_UTILS
from mmseg.structures import SegDataSample
from mmseg.structures.sampler import BasePixelSampler
from mmseg.utils import add_prefix
from ..mixing import choose_partners, mix
from ..utils.head_outputs import head_list
from ..utils.input_normalisation import input_normalisation, to_uint8_rgb
from ..utils.seg_pseudo_labels import match_seg_pseudo_labels
from ..utils.semi_batch import PseudoTargets, SemiBatch
from ..utils.view_geometry import valid_hw
from .semi_segmentor import SemiSegmentor

#: metainfo key marking the student's unsupervised inputs: ``'weak'``
#: (UniMatch V1's clean + feature-perturbed stream), ``'s1'``, ``'s2'``
VIEW_KEY = 'unimatch_view'
STRONG_VIEWS = ('s1', 's2')
#: ``'shared'``: both strong views take the same random partner image
#: (V1's mix loader); ``'independent'``: each draws its own;
#: ``'reversed'``: sample ``k`` of ``n`` takes sample ``n - 1 - k`` for both
#: views (V2's ``img_u_s1.flip(0)``)
PARTNER_MODES = ('shared', 'independent', 'reversed')


@dataclass
class UniMatchBatch(SemiBatch):
    """:class:`SemiBatch` with the second strong branch (``strong2``)."""
    strong2_inputs: Optional[Tensor] = None
    strong2_samples: Optional[List] = None


@dataclass
class UniMatchTargets:
    """What the steps of a UniMatch iteration hand each other.

    ``eval_s1`` / ``eval_s2``: the teacher's EVAL-mode predictions on the
    weak views matched into the strong views' frames (V1: the model itself,
    the mixing partners' pseudo-labels, official ``pred_u_w_mix``; V2: the
    EMA teacher, every pseudo-label); ``partner*`` / ``mask*``: each strong
    view's CutMix partner (index into the unsupervised samples) and mask
    (True = own pixels). ``s1`` / ``s2``: the mixed targets of the strong
    views; ``fp``: V1's feature-perturbation targets (weak frame).
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


def mix_pair(own: PseudoTargets, other: PseudoTargets, partner: Tensor,
             mask: Tensor, ignore_index: int) -> PseudoTargets:
    """Targets of mixed images whose own pixels (``mask`` True) take
    ``own`` and pasted pixels take ``other[partner]``: as
    :func:`mmssl.models.mixing.mix_targets`, with the two parts possibly
    from different predictions (UniMatch V1: own part from the train-mode
    forward, the partner's from the eval-mode one)."""
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
def without_pixel_samplers(heads):
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


class UniMatchBase(SemiSegmentor):
    """The steps UniMatch V1 and V2 share: the ``strong2`` branch
    (:meth:`split_batch`), the teacher's pseudo-labels matched into both
    strong frames (:meth:`make_pseudo_targets`), one CutMix box and partner
    per strong view (:meth:`mix_strong_views`), the pixel-average
    normalisation of each unsupervised stream (:meth:`stream_losses`) and
    the weighted ``Ls`` (:meth:`weighted_sup_losses`). A subclass sets
    :attr:`teacher_mode` and the defaults, and fills
    :meth:`build_unsup_batch`, :meth:`student_forward` and the losses.

    ``semi_train_cfg`` keys (besides the core's; ``pseudo_threshold`` is
    the official ``conf_thresh``):

    * ``mask_generator``: ``TASK_UTILS`` config with a partner, default
      :class:`UniMatchCutMixMaskGenerator`;
    * ``feature_perturbation``: ``MODELS`` config (V1: ``FeatureDropout``,
      V2: ``ComplementaryDropout``);
    * ``partners``: one of :data:`PARTNER_MODES`;
    * ``stream_weights``: dict of the loss weight of each stream;
    * ``loss_scale``: the official ``/ 2.0`` of the total.
    """

    semi_train_keys = ('mask_generator', 'feature_perturbation', 'partners',
                       'stream_weights', 'loss_scale')

    #: the core's ``teacher`` setting the method needs
    teacher_mode = 'student'
    #: the official stream weights (keys = the allowed stream names)
    default_stream_weights: Dict[str, float] = dict()
    default_feature_perturbation = dict(type='FeatureDropout', p=0.5)
    default_partners = 'shared'

    def __init__(self, segmentor: dict, semi_train_cfg=None, **kwargs):
        cfg = dict(semi_train_cfg or {})
        cfg.setdefault('teacher', self.teacher_mode)
        super().__init__(segmentor, semi_train_cfg=cfg, **kwargs)
        name = type(self).__name__
        if cfg['teacher'] != self.teacher_mode:
            raise ValueError(f"{name} needs semi_train_cfg.teacher="
                             f"{self.teacher_mode!r}, got {cfg['teacher']!r}")
        if self.pseudo_label_filter is not None:
            raise ValueError(f'{name} does not support '
                             'semi_train_cfg.pseudo_label_filter yet')
        self.mask_generator = TASK_UTILS.build(
            cfg.get('mask_generator',
                    dict(type='UniMatchCutMixMaskGenerator')))
        if not getattr(self.mask_generator, 'needs_partner', False):
            raise ValueError(f'{name} needs a mask generator that mixes '
                             'with a partner (CutMix / ClassMix)')
        self.feature_perturbation = MODELS.build(
            cfg.get('feature_perturbation',
                    self.default_feature_perturbation))
        self.partners = cfg.get('partners', self.default_partners)
        if self.partners not in PARTNER_MODES:
            raise ValueError(f'semi_train_cfg.partners must be one of '
                             f'{PARTNER_MODES}, got {self.partners!r}')
        weights = dict(self.default_stream_weights)
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
                        f'{type(self).__name__}: {type(head).__name__} '
                        'uses CrossEntropyLoss(avg_non_ignore=False); the '
                        'official normalisation (sum over confident pixels '
                        '/ valid pixels) needs avg_non_ignore=True',
                        logger='current', level=30)

    def _panel_images(self, inputs: Tensor) -> Optional[Tensor]:
        """The mixed s1 images as uint8 RGB, for the panels."""
        norm = input_normalisation(self.data_preprocessor)
        return None if norm is None else to_uint8_rgb(inputs, norm)

    @staticmethod
    def marked(ds: SegDataSample, view: str) -> SegDataSample:
        """A metainfo-only copy of ``ds`` tagged with its ``view``."""
        out = SegDataSample(metainfo=ds.metainfo)
        out.set_metainfo({VIEW_KEY: view})
        return out

    # ------------------------------------------------------------- steps
    def split_batch(self, multi_batch_inputs, multi_batch_data_samples):
        """The core's split plus the ``strong2`` branch."""
        if 'strong2' not in multi_batch_inputs:
            raise KeyError(
                f"{type(self).__name__} needs a second strong view: branch "
                "'strong2' (SemiViews(..., strong2=[...]))")
        base = super().split_batch(multi_batch_inputs,
                                   multi_batch_data_samples)
        return UniMatchBatch(
            **{f.name: getattr(base, f.name)
               for f in fields(SemiBatch)},
            strong2_inputs=multi_batch_inputs['strong2'],
            strong2_samples=multi_batch_data_samples['strong2'])

    @torch.no_grad()
    def make_pseudo_targets(self, batch: UniMatchBatch) -> UniMatchTargets:
        """The teacher in eval mode on the unsupervised weak views, matched
        into both strong frames."""
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
        n = len(samples)
        if partner is None and self.partners == 'reversed':
            partner = torch.arange(n).flip(0)
        if partner is None:
            keys = [
                ds.metainfo.get('img_path', k) for k, ds in enumerate(samples)
            ]
            partner, paired = choose_partners(keys)
        else:
            paired = partner != torch.arange(n)
        # an unpaired sample keeps its own pixels everywhere
        mask = mask | ~paired.to(mask.device).view(-1, 1, 1)
        return partner, paired, mask

    def mix_strong_views(self, batch: UniMatchBatch,
                         targets: UniMatchTargets) -> Tuple[Tensor, Tensor,
                                                            Tensor]:
        """Each strong view of the unsupervised samples mixed with its own
        box and the same branch of its partner (official
        ``img_u_s1[cutmix_box1 == 1] = img_u_s1_mix[cutmix_box1 == 1]``);
        fills the partners and masks of ``targets``. Returns the mixed s1
        and s2 inputs and the host bool ``paired`` of s1."""
        idx = batch.unsup_idx
        s1 = batch.strong_inputs[idx]
        s2 = batch.strong2_inputs[idx]
        p1, paired1, m1 = self._partner_masks(targets.s1_samples,
                                              targets.eval_s1.labels, None)
        p2, _, m2 = self._partner_masks(
            targets.s2_samples, targets.eval_s2.labels,
            None if self.partners == 'independent' else p1)
        targets.partner1, targets.mask1 = p1, m1
        targets.partner2, targets.mask2 = p2, m2
        return (mix(s1, s1[p1.to(s1.device)], m1),
                mix(s2, s2[p2.to(s2.device)], m2), paired1)

    def weighted_sup_losses(self, fwd, index: Tensor,
                            data_samples: List) -> dict:
        """``Ls`` of the samples ``index`` of ``fwd``, weighted by the
        ``sup`` stream weight and the loss scale, prefixed ``sup``."""
        if not len(index):
            return dict()
        losses = self.part_losses(fwd, index, data_samples)
        return add_prefix(
            reweight_loss_dict(losses,
                               self.stream_weights['sup'] * self.loss_scale),
            'sup')

    def stream_losses(self, streams, weight) -> dict:
        """Each unsupervised stream ``(name, fwd, index, samples, targets)``:
        the heads' own loss on the stream's pseudo-labels (pixel samplers
        off), rescaled from the average over the kept pixels to the
        official average over all valid pixels, weighted by lambda, the
        stream weight and the loss scale, prefixed ``unsup_<name>``."""
        losses = dict()
        with without_pixel_samplers(self._all_heads()):
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

"""ClassMix / CutMix / Cutout mean teacher: mixing as a strategy of the
semi-supervised core."""
from typing import List, Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from mmseg.registry import MODELS, TASK_UTILS
from mmseg.utils import add_prefix
from ..losses import softmax_squared_error
from ..mixing import IntensityAugs, choose_partners, mix, mix_targets
from ..utils.head_outputs import PER_PART_HEADS, head_list
from ..utils.input_normalisation import input_normalisation, to_uint8_rgb
from ..utils.semi_batch import PseudoTargets, SemiBatch, UnsupBatch
from ..utils.view_geometry import valid_hw
from .semi_segmentor import SemiSegmentor, StudentForward

CONSISTENCY_LOSSES = ('cross_entropy', 'squared_error')
UNSUP_WEIGHTINGS = ('confidence_proportion', 'pixel_threshold', 'ramp')


def _loss_weight(head) -> float:
    """A head's (first) decode loss weight, e.g. 0.4 for auxiliary heads."""
    loss = getattr(head, 'loss_decode', None)
    if isinstance(loss, torch.nn.ModuleList):
        loss = loss[0] if len(loss) else None
    return float(getattr(loss, 'loss_weight', 1.0))


@MODELS.register_module()
class MixSemiSegmentor(SemiSegmentor):
    """Mean teacher with mixed unsupervised images: ClassMix (Olsson et al.
    2021) and CutMix / Cutout (French et al. 2020).

    Everything but one step is the core's (:class:`SemiSegmentor`): split,
    teacher on the weak views in the padded batch frame, matching into the
    strong frame, one student forward, each head's own loss code, EMA and
    weight hooks, panels. This class overrides :meth:`build_unsup_batch`
    (mask, partner, mixing of images AND matched targets, extra
    augmentations), :meth:`unsup_loss_weight` and, for the squared-error
    consistency, :meth:`loss_unsup`. Mixing happens after matching, so the
    strong views may differ geometrically from the weak ones (Dense
    FixMatch + ClassMix / CutMix) as well as be the same crop (the papers).

    ``semi_train_cfg`` keys (besides the core's):

    * ``mask_generator``: a ``TASK_UTILS`` config: ``ClassMixMaskGenerator``,
      ``CutMixMaskGenerator`` (``num_boxes=3, area_ratio=1/6``: three-box
      variant), ``CutoutMaskGenerator``;
    * ``consistency_loss``: ``'cross_entropy'`` (ClassMix: the heads' own
      loss on the argmax of the mixed teacher output) or
      ``'squared_error'`` (French: squared error between student softmax
      and mixed teacher probabilities, summed over classes);
    * ``unsup_weighting``: ``'confidence_proportion'`` (both papers: lambda
      times the fraction of the valid image area whose teacher confidence
      reaches ``confidence_threshold``), ``'pixel_threshold'`` (pixels
      below it have no target) or ``'ramp'`` (lambda only: the
      ``UnsupWeightHook`` sigmoid / constant schedules, ClassMix table 3);
    * ``confidence_threshold``: ClassMix 0.968, French 0.97;
    * ``extra_augs``: kornia intensity ops applied to the mixed batch
      (ClassMix "extra augmentations"), e.g. ``ColorJiggle``,
      ``RandomGaussianBlur``.

    Logged: ``unsup_weight`` (the effective weight), ``mix_paired_frac``
    (unsupervised samples that found a partner from another image).
    """

    semi_train_keys = ('mask_generator', 'consistency_loss',
                       'unsup_weighting', 'confidence_threshold',
                       'extra_augs')

    def __init__(self, segmentor: dict, **kwargs):
        super().__init__(segmentor, **kwargs)
        cfg = self.semi_train_cfg
        if 'mask_generator' not in cfg:
            raise KeyError(
                'MixSemiSegmentor needs semi_train_cfg.mask_generator, e.g. '
                "dict(type='ClassMixMaskGenerator') / 'CutMixMaskGenerator'"
                " / 'CutoutMaskGenerator'")
        self.mask_generator = TASK_UTILS.build(cfg['mask_generator'])
        self.consistency_loss = cfg.get('consistency_loss', 'cross_entropy')
        if self.consistency_loss not in CONSISTENCY_LOSSES:
            raise ValueError('semi_train_cfg.consistency_loss must be one of '
                             f'{CONSISTENCY_LOSSES}, got '
                             f'{self.consistency_loss!r}')
        self.unsup_weighting = cfg.get('unsup_weighting',
                                       'confidence_proportion')
        if self.unsup_weighting not in UNSUP_WEIGHTINGS:
            raise ValueError('semi_train_cfg.unsup_weighting must be one of '
                             f'{UNSUP_WEIGHTINGS}, got '
                             f'{self.unsup_weighting!r}')
        self.confidence_threshold = float(
            cfg.get('confidence_threshold', 0.968))
        if not 0.0 <= self.confidence_threshold < 1.0:
            raise ValueError('semi_train_cfg.confidence_threshold must be in '
                             f'[0, 1), got {self.confidence_threshold}')
        self.extra_augs = IntensityAugs(cfg.get('extra_augs'))
        per_part = [
            type(h).__name__ for h in self._decode_heads()
            if type(h).__name__ in PER_PART_HEADS
        ]
        if self.consistency_loss == 'squared_error' and per_part:
            raise ValueError(
                "semi_train_cfg.consistency_loss='squared_error' needs "
                'heads that run once over the batch and return logits; '
                f'{per_part[0]} does not: use '
                "consistency_loss='cross_entropy'")

    @property
    def needs_probs(self) -> bool:
        return self.consistency_loss == 'squared_error'

    # --------------------------------------------------------- mixing
    def build_unsup_batch(self, batch: SemiBatch,
                          targets: PseudoTargets) -> UnsupBatch:
        """Mix each unsupervised strong view with a partner from another
        image (or cut out a box), images and matched targets with the same
        mask, then apply the extra augmentations to the mixed images."""
        sel = batch.unsup_idx.tolist()
        inputs = batch.strong_inputs[batch.unsup_idx]
        samples = [batch.strong_samples[i] for i in sel]
        if not sel:
            return UnsupBatch(inputs, [], targets, None)
        image_hw = [valid_hw(ds) for ds in samples]
        mask = self.mask_generator(targets.labels, image_hw, self.num_classes)
        if self.mask_generator.needs_partner:
            keys = [ds.metainfo.get('img_path', k)
                    for k, ds in enumerate(samples)]
            partner, paired = choose_partners(keys)
            # an unpaired sample keeps its own pixels everywhere
            mask = mask | ~paired.to(mask.device).view(-1, 1, 1)
            partner_dev = partner.to(inputs.device)
            mixed = mix(inputs, inputs[partner_dev], mask)
            mixed_targets = mix_targets(targets, partner, mask,
                                        self.ignore_index)
            paired_frac = paired.float().mean()
        else:  # Cutout: zeros (the normalised mean colour) in the box
            mixed = inputs * mask.unsqueeze(1).to(inputs.dtype)
            mixed_targets = mix_targets(
                targets,
                torch.arange(len(sel)),
                mask,
                self.ignore_index,
                erase=~mask)
            paired_frac = torch.ones(())
        if self.unsup_weighting == 'pixel_threshold':
            mixed_targets = self._drop_unconfident(mixed_targets)
        mixed = self._extra_augment(mixed)
        data_samples = [
            self.with_gt(ds, mixed_targets.labels[k])
            for k, ds in enumerate(samples)
        ]
        return UnsupBatch(
            mixed,
            data_samples,
            mixed_targets,
            images=self._uint8_rgb(mixed),
            log=dict(mix_paired_frac=paired_frac.to(mixed.device)))

    def _drop_unconfident(self, targets: PseudoTargets) -> PseudoTargets:
        """Pixels below ``confidence_threshold`` lose their target (ClassMix
        ``trainSSL.py`` pixel-wise mode: ``max_probs.ge(threshold)``); they
        stay ``valid``, so a mean over the valid image area still counts
        them, as the authors' per-pixel weighting does."""
        keep = targets.valid & (
            targets.confidence >= self.confidence_threshold)
        return PseudoTargets(
            labels=torch.where(keep, targets.labels,
                               torch.full_like(targets.labels,
                                               self.ignore_index)),
            confidence=targets.confidence,
            valid=targets.valid,
            weak_labels=targets.weak_labels,
            probs=targets.probs)

    def _extra_augment(self, inputs: Tensor) -> Tensor:
        if not len(self.extra_augs):
            return inputs
        norm = input_normalisation(self.data_preprocessor)
        if norm is None:
            raise ValueError(
                'semi_train_cfg.extra_augs needs a data preprocessor that '
                'normalises (mean / std), to bring the images to [0, 1]')
        return self.extra_augs(inputs, norm.mean, norm.std, rgb=norm.rgb)

    def _uint8_rgb(self, inputs: Tensor) -> Optional[Tensor]:
        """The student's unsupervised images as uint8 RGB, for panels."""
        norm = input_normalisation(self.data_preprocessor)
        return None if norm is None else to_uint8_rgb(inputs, norm)

    # ---------------------------------------------------------- losses
    def unsup_loss_weight(self, targets: PseudoTargets):
        """lambda (ramp hook) times, with ``confidence_proportion``, the
        fraction of the valid image area (``targets.valid``: the mixed
        images' pixels that saw the teacher, a Cutout box included) where
        the teacher's confidence is at or above the threshold, as both
        authors' codes compute it: over the whole (mixed) teacher map, with
        ``>=`` (French et al. ``train_seg_semisup_mask_mt.py``:
        ``conf_tea >= conf_thresh``, ``conf_mask.mean()``; ClassMix
        ``trainSSL.py``:461 ``max_probs.ge(0.968)`` summed / the map's
        size). A device tensor: no synchronisation; 0 without pixels."""
        if self.unsup_weighting != 'confidence_proportion':
            return self.unsup_weight
        valid = targets.valid
        confident = (targets.confidence >= self.confidence_threshold) & valid
        frac = confident.sum().float() / valid.sum().clamp(min=1).float()
        return self.unsup_weight * frac

    def loss_unsup(self, fwd: StudentForward, index: Tensor,
                   data_samples: List, targets: PseudoTargets,
                   weight) -> dict:
        if self.consistency_loss == 'cross_entropy' or not len(index):
            return super().loss_unsup(fwd, index, data_samples, targets,
                                      weight)
        return self._squared_error_losses(fwd, index, targets, weight)

    def _squared_error_losses(self, fwd: StudentForward, index: Tensor,
                              targets: PseudoTargets, weight) -> dict:
        """French's consistency on every head that ran over the batch
        (decode and auxiliary heads, each with its loss weight): the head's
        logits, resized to the input like mmseg's ``loss_by_feat``, against
        the mixed teacher probabilities, on the target pixels."""
        size = tuple(targets.valid.shape[1:])
        losses = dict()
        aux_heads = self._aux_heads()
        counts = dict(decode=0, aux=0)
        for head, out in fwd.head_outputs.items():
            if not (isinstance(out, Tensor) and out.dim() == 4
                    and out.shape[1] == self.num_classes):
                raise TypeError(
                    "consistency_loss='squared_error' needs heads whose "
                    'forward returns [N, num_classes, h, w] logits; '
                    f'{type(head).__name__} returned '
                    f'{type(out).__name__}: use '
                    "consistency_loss='cross_entropy'")
            logits = F.interpolate(
                out[index],
                size=size,
                mode='bilinear',
                align_corners=getattr(head, 'align_corners', False))
            # the pixels with a target: labels are ignore_index where the
            # core's tau or pseudo_label_filter (e.g. online DARS) rejected
            # a pixel, out of view, or in a Cutout box. The mean runs over
            # the valid image area (French et al.'s code: the mean over all
            # pixels, those without a target counting 0), so a Cutout box
            # or a rejected pixel adds 0 but counts; padding and pixels
            # outside the view count nowhere
            has_target = targets.labels != self.ignore_index
            loss = softmax_squared_error(
                logits, targets.probs, has_target, avg_mask=targets.valid)
            kind = 'aux' if any(head is a for a in aux_heads) else 'decode'
            name = kind + (f'_{counts[kind]}' if counts[kind] else '')
            counts[kind] += 1
            losses[f'{name}.loss_mse'] = loss * _loss_weight(head) * weight
        return add_prefix(losses, 'unsup')

    def _aux_heads(self):
        return head_list(getattr(self.student, 'auxiliary_head', None))

    def _decode_heads(self):
        return head_list(self.student.decode_head)

"""UniMatch V2 (Yang et al., "UniMatch V2: Pushing the Limit of
Semi-Supervised Semantic Segmentation", TPAMI 2025, arXiv:2410.10777) as a
strategy of the semi-supervised core."""
from typing import List

import torch
from torch import Tensor

from mmseg.registry import MODELS
from ..mixing import mix_targets
from ..utils.feature_perturbation import cat_batch
from ..utils.head_outputs import slice_batch
from ..utils.seg_pseudo_labels import seg_hook_info
from ..utils.semi_batch import UnsupBatch
from .semi_segmentor import StudentForward
from .unimatch_base import (STRONG_VIEWS, VIEW_KEY, UniMatchBase,
                            UniMatchBatch, UniMatchTargets, kept_fraction)

#: ``loss_u_s = (loss_u_s1 + loss_u_s2) / 2.0; loss = (loss_x + loss_u_s)
#: / 2.0`` (unimatch_v2.py): stream weights (1, 1/2, 1/2), scale 1/2
DEFAULT_STREAM_WEIGHTS = dict(sup=1.0, s1=0.5, s2=0.5)


@MODELS.register_module()
class UniMatchV2(UniMatchBase):
    """UniMatch V2: an EMA teacher labels the weak view; ONE stream of two
    mixed strong views whose features get Complementary Dropout.

    One iteration, as the official ``unimatch_v2.py`` does it:

    * the EMA teacher (eval mode) predicts the weak views of the
      unsupervised samples (:meth:`make_pseudo_targets`; official
      ``pred_u_w = model_ema(img_u_w)``), matched into both strong frames;
    * each strong view (``strong``, ``strong2``: independent photometric ops
      on one crop) gets its own CutMix box and the same branch of its
      partner (official partner: the reversed batch, ``img_u_s1.flip(0)``,
      ``partners='reversed'``); its targets are the teacher's, mixed with
      the same mask (own pixels from the sample, box from the partner);
    * the student runs once over the labeled weak views and the mixed
      strong views (:meth:`student_forward`); between its backbone
      (+ neck) and heads the strong views' features, as pairs (s1 of image
      ``k``, s2 of image ``k``), pass ``feature_perturbation`` (default
      :class:`mmssl.models.utils.ComplementaryDropout`; official
      ``model(torch.cat((img_u_s1, img_u_s2)), comp_drop=True)``); the
      labeled views' features are not perturbed (official
      ``pred_x = model(img_x)``);
    * ``L = scale * (w_x Ls + lambda (w_s1 L_s1 + w_s2 L_s2))`` with the
      official ``(1, 1/2, 1/2)`` and ``scale = 1/2``, each unsupervised
      term normalised over all valid pixels as in :class:`UniMatch`.

    The teacher is kept by :class:`mmssl.engine.EMATeacherHook` with
    ``decay=0.996, mean_start=True`` (official ``ema_ratio = min(1 - 1 /
    (iters + 1), 0.996)``, parameters and buffers).

    Differences from the official code (``docs/unimatch_v2.md``): one
    student forward over labeled and strong views (official: two; equal
    for the official DPT model, which has no BatchNorm); the strong views
    may differ geometrically from the weak view (pseudo-labels are matched
    by the core).

    ``semi_train_cfg`` keys: those of :class:`UniMatchBase` (stream
    weights ``sup``, ``s1``, ``s2``) and the core's; ``teacher`` is
    ``'ema'``.
    """

    teacher_mode = 'ema'
    default_stream_weights = DEFAULT_STREAM_WEIGHTS
    default_feature_perturbation = dict(
        type='ComplementaryDropout', p=0.5, pair_prob=0.5)
    default_partners = 'reversed'

    # ------------------------------------------------------------- steps
    def build_unsup_batch(self, batch: UniMatchBatch,
                          targets: UniMatchTargets) -> UnsupBatch:
        """The two mixed strong views (all s1, then all s2) and their
        mixed teacher targets."""
        idx = batch.unsup_idx
        if not len(idx):
            return UnsupBatch(batch.strong_inputs[idx], [], targets)
        s1m, s2m, paired1 = self.mix_strong_views(batch, targets)
        # both parts from the one teacher prediction: plain mix_targets
        # (eval_s1 / eval_s2 carry no probs, so nothing more is mixed)
        targets.s1 = mix_targets(targets.eval_s1, targets.partner1,
                                 targets.mask1, self.ignore_index)
        targets.s2 = mix_targets(targets.eval_s2, targets.partner2,
                                 targets.mask2, self.ignore_index)
        samples = [
            self.marked(ds, view)
            for view, group in (('s1', targets.s1_samples),
                                ('s2', targets.s2_samples)) for ds in group
        ]
        return UnsupBatch(
            torch.cat([s1m, s2m]),
            samples,
            targets,
            images=self._panel_images(s1m),
            log=dict(mix_paired_frac=paired1.float().mean().to(s1m.device)))

    def student_forward(self, inputs: Tensor,
                        data_samples: List) -> StudentForward:
        """One backbone (+ neck) forward over the labeled weak views and
        the strong views; ``feature_perturbation`` on the strong views'
        features (pairs ``k`` and ``n + k``); the heads once over all."""
        n_strong = sum(
            ds.metainfo.get(VIEW_KEY) in STRONG_VIEWS for ds in data_samples)
        if not n_strong:
            return super().student_forward(inputs, data_samples)
        n_sup = len(inputs) - n_strong
        device = inputs.device
        feats = self.student.extract_feat(inputs)
        strong = self.feature_perturbation(
            slice_batch(feats,
                        torch.arange(n_sup, len(inputs), device=device)))
        if n_sup:
            feats = cat_batch(
                slice_batch(feats, torch.arange(n_sup, device=device)),
                strong)
        else:
            feats = strong
        return StudentForward(feats, self.heads_forward(feats, data_samples))

    def loss_sup(self, fwd: StudentForward, index: Tensor,
                 data_samples: List) -> dict:
        return self.weighted_sup_losses(fwd, index, data_samples)

    def loss_unsup(self, fwd: StudentForward, index: Tensor,
                   data_samples: List, targets: UniMatchTargets,
                   weight) -> dict:
        """The two strong streams on the teacher's mixed targets."""
        n = len(targets.weak_samples)
        if not n:
            return dict()
        streams = (
            ('s1', fwd, index[:n], targets.s1_samples, targets.s1),
            ('s2', fwd, index[n:], targets.s2_samples, targets.s2),
        )
        return self.stream_losses(streams, weight)

    # -------------------------------------------------------------- hooks
    def pseudo_label_stats(self, unsup: UnsupBatch, ref: Tensor) -> dict:
        """``mask_ratio`` (official): pixels whose teacher confidence
        reaches tau over the valid ones, in the first strong view's frame
        before mixing (the official counts them in the weak view, the same
        crop)."""
        targets = unsup.targets
        if not len(targets.weak_samples):
            return dict(mask_ratio=ref.new_zeros(()))
        return dict(
            mask_ratio=kept_fraction(targets.eval_s1,
                                     self.ignore_index).detach())

    def hook_info(self, batch: UniMatchBatch, targets: UniMatchTargets,
                  unsup: UnsupBatch) -> dict:
        """The panels show the first strong view: its mixed input and its
        mixed pseudo-labels; the weak panel the teacher's argmax."""
        n = len(targets.weak_samples)
        info = dict(
            index=batch.unsup_idx.tolist(),
            student_inputs=unsup.inputs[:n].detach())
        if unsup.images is not None:
            info['student_images'] = unsup.images
        if targets.s1 is not None:
            info.update(
                seg_hook_info(targets.eval_s1, targets.s1.labels,
                              self.num_classes, self.ignore_index))
        return info

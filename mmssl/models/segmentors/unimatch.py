"""UniMatch (Yang et al., "Revisiting Weak-to-Strong Consistency in
Semi-Supervised Semantic Segmentation", CVPR 2023) as a strategy of the
semi-supervised core."""
from contextlib import contextmanager
from typing import List, NamedTuple, Optional

import torch
from torch import Tensor

from mmseg.registry import MODELS
from ..utils.head_outputs import head_list, precomputed_forward, slice_batch
from ..utils.seg_pseudo_labels import match_seg_pseudo_labels, seg_hook_info
from ..utils.semi_batch import UnsupBatch
from ..utils.view_geometry import batch_frame_metas
from .semi_segmentor import StudentForward
from .unimatch_base import (STRONG_VIEWS, VIEW_KEY,  # noqa: F401
                            UniMatchBase, UniMatchBatch, UniMatchTargets,
                            kept_fraction, mix_pair)

#: the official weights: ``loss = (loss_x + loss_u_s1 * 0.25 + loss_u_s2 *
#: 0.25 + loss_u_w_fp * 0.5) / 2.0`` (unimatch.py)
DEFAULT_STREAM_WEIGHTS = dict(sup=1.0, s1=0.25, s2=0.25, fp=0.5)


class UniMatchForward(NamedTuple):
    """The student's forwards of one step: ``clean`` and ``fp`` (labeled
    weak views, then unsupervised weak views; heads on clean and on
    perturbed features), ``strong`` (mixed s1, then mixed s2; None without
    unsupervised samples) and ``n_first`` (samples in ``clean``)."""
    clean: StudentForward
    fp: StudentForward
    strong: Optional[StudentForward]
    n_first: int


@contextmanager
def _precomputed_feats(segmentor, feats):
    segmentor.extract_feat = lambda *args, **kwargs: feats
    try:
        yield
    finally:
        del segmentor.extract_feat


#: heads whose ``forward`` returns more in training than at inference:
#: the part of the training output that ``predict`` reads (their
#: ``forward`` in eval mode): PIDNet's integral branch, DDRNet's main
#: branch, K-Net's last stage
INFERENCE_OUTPUT = dict(
    PIDHead=lambda out: out[1],
    DDRHead=lambda out: out[0],
    IterativeDecodeHead=lambda out: out[-1])


@MODELS.register_module()
class UniMatch(UniMatchBase):
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

    * ``mask_generator``, ``partners``, ``stream_weights`` (``sup``,
      ``s1``, ``s2``, ``fp``), ``loss_scale``: see :class:`UniMatchBase`;
    * ``feature_perturbation``: ``MODELS`` config, default
      ``FeatureDropout(p=0.5)``;
    * ``fp_batching``: ``'concat'`` (official) or ``'separate'``.

    ``partners``: ``'shared'`` is the official (both strong views take the
    same partner image, each its own view of it).
    """

    semi_train_keys = ('fp_batching', )
    teacher_mode = 'student'
    default_stream_weights = DEFAULT_STREAM_WEIGHTS
    default_feature_perturbation = dict(type='FeatureDropout', p=0.5)
    default_partners = 'shared'

    def __init__(self, segmentor: dict, semi_train_cfg=None, **kwargs):
        super().__init__(segmentor, semi_train_cfg=semi_train_cfg, **kwargs)
        self.fp_batching = self.semi_train_cfg.get('fp_batching', 'concat')
        if self.fp_batching not in ('concat', 'separate'):
            raise ValueError("semi_train_cfg.fp_batching must be 'concat' or"
                             f" 'separate', got {self.fp_batching!r}")

    # ------------------------------------------------------------- steps
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
        s1m, s2m, paired1 = self.mix_strong_views(batch, targets)
        samples = [
            self.marked(ds, view)
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
        return self.weighted_sup_losses(fwd.clean, index, data_samples)

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
        return self.stream_losses(streams, weight)

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

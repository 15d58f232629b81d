"""Dense FixMatch / FixMatch* for semantic segmentation."""
from typing import Dict, List, Optional

import torch
from torch import Tensor

from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.utils import add_prefix
from ..losses import valid_pixel_cross_entropy
from ..utils.pseudo_label import hard_pseudo_labels
from ..utils.view_matching import warp_labels
from .semi_base import SemiBaseModel

UNSUP_ON = ('unlabeled', 'all')


def _stack_homographies(data_samples, device) -> Tensor:
    mats = []
    for ds in data_samples:
        if 'homography_matrix' not in ds.metainfo:
            raise KeyError(
                "data sample has no 'homography_matrix': add it to "
                "PackSegInputs.meta_keys and use transforms that record it "
                '(mmdet.Resize/RandomFlip/RandomCrop, mmssl.TwoViewCrop)')
        mats.append(torch.as_tensor(ds.homography_matrix, dtype=torch.float64))
    return torch.stack(mats).to(device)


@MODELS.register_module()
class SemiSegmentor(SemiBaseModel):
    """Student + EMA teacher around any mmseg segmentor (Dense FixMatch).

    ``L = Ls + lambda * Lu``. ``Ls`` is the segmentor's own decode (and
    auxiliary) loss on labeled weak views. ``Lu`` is the cross-entropy of the
    student on strong views against the teacher's hard pseudo-labels from the
    weak views, brought into the strong frame by ``A o alpha^-1``
    (:func:`mmssl.models.utils.warp_labels`), averaged over valid locations
    only. The student runs one forward over the concatenated labeled-weak and
    strong inputs. FixMatch* is the same model with a photometric-only strong
    branch and one shared crop (a config choice).

    Args:
        segmentor: config of an mmseg segmentor (``EncoderDecoder``).
        semi_train_cfg:
            ``pseudo_threshold`` (tau in [0, 1), default 0),
            ``unsup_on`` ('unlabeled' or 'all': which samples' strong views
            get Lu, default 'all'), ``unsup_weight`` (initial lambda; the
            ramp hook overrides it), ``log_class_hist`` (default True).
    """

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
        cfg = self.semi_train_cfg
        self.pseudo_threshold = float(cfg.get('pseudo_threshold', 0.0))
        if not 0.0 <= self.pseudo_threshold < 1.0:
            raise ValueError('semi_train_cfg.pseudo_threshold (tau) must be '
                             f'in [0, 1), got {self.pseudo_threshold}')
        self.unsup_on = cfg.get('unsup_on', 'all')
        if self.unsup_on not in UNSUP_ON:
            raise ValueError(f'semi_train_cfg.unsup_on must be one of '
                             f'{UNSUP_ON}, got {self.unsup_on!r}')
        self.log_class_hist = bool(cfg.get('log_class_hist', True))
        self.ignore_index = self.student.decode_head.ignore_index
        self.num_classes = self.student.decode_head.num_classes
        # The last batch's views and labels, for PseudoLabelVisualizationHook.
        self.last_pseudo_labels: Dict[str, Tensor] = {}

    # ------------------------------------------------------------------
    def loss(self, multi_batch_inputs: Dict[str, Tensor],
             multi_batch_data_samples: Dict[str, List]) -> dict:
        weak_x = multi_batch_inputs['weak']
        strong_x = multi_batch_inputs['strong']
        weak_ds = multi_batch_data_samples['weak']
        strong_ds = multi_batch_data_samples['strong']
        device = weak_x.device
        labeled = torch.tensor(
            [bool(ds.metainfo.get('is_labeled', True)) for ds in weak_ds],
            device=device)
        unsup_mask = (~labeled if self.unsup_on == 'unlabeled' else
                      torch.ones_like(labeled))
        lab_idx = labeled.nonzero().flatten()
        uns_idx = unsup_mask.nonzero().flatten()

        pseudo = self.match_pseudo_labels(weak_x, weak_ds, strong_x,
                                          strong_ds, uns_idx)

        # One student forward (backbone and heads) over labeled weak views
        # and strong views; the logits are then split per loss.
        student = self.student
        student_in = torch.cat([weak_x[lab_idx], strong_x[uns_idx]])
        feats = student.extract_feat(student_in)
        logits = student.decode_head.forward(feats)
        n_lab = len(lab_idx)
        sup_ds = [weak_ds[i] for i in lab_idx.tolist()]
        losses = dict()
        if n_lab:
            losses.update(
                add_prefix(
                    student.decode_head.loss_by_feat(logits[:n_lab], sup_ds),
                    'sup.decode'))
            if student.with_auxiliary_head:
                aux_logits = student.auxiliary_head.forward(feats)
                losses.update(
                    add_prefix(
                        student.auxiliary_head.loss_by_feat(
                            aux_logits[:n_lab], sup_ds), 'sup.aux'))
        if len(uns_idx):
            u_logits = resize(
                logits[n_lab:],
                size=strong_x.shape[2:],
                mode='bilinear',
                align_corners=student.align_corners)
            loss_u = valid_pixel_cross_entropy(u_logits, pseudo,
                                               self.ignore_index)
            self.last_pseudo_labels['student_pred'] = (
                u_logits.detach().argmax(1))
        else:
            # an exact zero that keeps the graph connected (DDP)
            loss_u = logits.sum() * 0.0
        losses['unsup.loss_seg'] = loss_u * self.unsup_weight
        losses['unsup.ce'] = loss_u.detach()  # Lu before lambda (no 'loss' in key: not summed)
        losses['unsup_weight'] = loss_u.new_tensor(self.unsup_weight)
        losses.update(self._pseudo_label_stats(pseudo))
        return losses

    @torch.no_grad()
    def match_pseudo_labels(self, weak_x, weak_ds, strong_x, strong_ds,
                            idx: Tensor) -> Tensor:
        """Teacher pseudo-labels on weak views, matched into strong views."""
        if len(idx) == 0:
            return strong_x.new_zeros((0, ) + strong_x.shape[2:]).long()
        sel = idx.tolist()
        w_ds = [weak_ds[i] for i in sel]
        s_ds = [strong_ds[i] for i in sel]
        logits = self.teacher.encode_decode(weak_x[idx],
                                            [d.metainfo for d in w_ds])
        labels, _ = hard_pseudo_labels(logits, self.pseudo_threshold,
                                       self.ignore_index)
        matched = warp_labels(
            labels,
            _stack_homographies(w_ds, weak_x.device),
            _stack_homographies(s_ds, weak_x.device),
            dst_shape=tuple(strong_x.shape[2:]),
            src_valid_shapes=[d.img_shape for d in w_ds],
            ignore_index=self.ignore_index)
        # batch padding of the strong views is not part of the view
        for k, d in enumerate(s_ds):
            h, w = d.img_shape
            matched[k, h:, :] = self.ignore_index
            matched[k, :, w:] = self.ignore_index
        self.last_pseudo_labels = dict(
            index=idx.detach().cpu(), weak=labels, matched=matched)
        return matched

    def _pseudo_label_stats(self, pseudo: Tensor) -> dict:
        stats = dict()
        valid = pseudo != self.ignore_index
        stats['pseudo_valid_frac'] = (
            valid.float().mean() if pseudo.numel() else pseudo.new_zeros(
                (), dtype=torch.float))
        if self.log_class_hist:
            hist = torch.bincount(
                pseudo[valid].flatten(), minlength=self.num_classes).float()
            hist = hist / hist.sum().clamp(min=1)
            # One device->host copy for the whole histogram; the logger
            # would otherwise synchronise once per class entry.
            for c, frac in enumerate(hist.cpu()):
                stats[f'pl_hist.{c}'] = frac
        return stats

"""One backbone, an mmseg decode head and an mmdet neck + dense head."""
import copy
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmdet.models.utils import (reweight_loss_dict,
                                samplelist_boxtype2tensor)
from mmdet.registry import MODELS as MMDET_MODELS
from mmdet.structures import DetDataSample
from mmengine.config import ConfigDict
from mmengine.model import BaseModel
from mmengine.structures import PixelData
from torch import Tensor

from mmseg.models.utils import resize
from mmseg.registry import MODELS
from ..utils.head_outputs import precomputed_forward, slice_batch
from ..utils.labeled_flags import labeled_index

TASKS = ('seg', 'det')


def _build(cfg: dict, registry, scope: str):
    """Build ``cfg`` with its nested types resolved in ``scope`` (under
    ``default_scope='mmseg'`` an mmdet head's ``FocalLoss`` would otherwise
    resolve to mmseg's class)."""
    cfg = copy.deepcopy(dict(cfg))
    cfg.setdefault('_scope_', scope)
    return registry.build(cfg)


def zero_loss(outputs) -> Tensor:
    """``0 *`` the sum of every tensor in ``outputs``: a loss that keeps a
    head's outputs (so its parameters) in the graph with a zero gradient."""
    if isinstance(outputs, Tensor):
        return outputs.sum() * 0
    if isinstance(outputs, dict):
        outputs = list(outputs.values())
    return sum(zero_loss(o) for o in outputs)


def with_tensor_boxes(data_samples: Sequence) -> List[DetDataSample]:
    """Copies of ``data_samples`` whose boxes are plain ``[k, 4]`` tensors.

    mmdet's dense heads read ground-truth boxes as tensors: its
    ``DetDataPreprocessor`` converts them (``boxtype2tensor``) before any
    head sees them. RetinaNet's assigner also takes ``HorizontalBoxes``,
    but e.g. ATSS's does not. The inputs are left as they are (hooks and
    view matching read the box type)."""
    out = []
    for ds in data_samples:
        ds = ds.clone()  # shallow: the instance fields are shared
        for name in ('gt_instances', 'ignored_instances',
                     'pred_instances'):
            if name in ds:
                setattr(ds, name, ds.get(name).clone())
        out.append(ds)
    samplelist_boxtype2tensor(out)
    return out


@MODELS.register_module()
class MultiTaskSegDet(BaseModel):
    """Multi-task segmentation + detection network on a shared backbone.

    ``backbone`` (an mmseg backbone, e.g. ``ResNetV1c``) runs once; the
    segmentation head (any mmseg decode head, e.g. DeepLabv3+'s
    ``DepthwiseSeparableASPPHead``) reads the backbone outputs; the detection
    branch is an mmdet neck (``FPN``) and a one-stage dense head (e.g.
    ``RetinaHead``, ``FCOSHead``, ``ATSSHead``), built in the mmdet scope.
    Set ``decode_head`` or ``bbox_head`` to None for a single-task model.

    Each head computes its losses with its own ``loss`` code (decode head:
    ``loss`` / ``loss_by_feat``; dense head: ``loss`` / ``loss_by_feat``),
    from outputs computed once for the whole batch (:meth:`forward_heads`),
    so samples can be selected per task after one forward.

    Supervised training (:meth:`loss`, the multi-task baseline) masks each
    task's loss to the samples labeled for it (metainfo ``seg_labeled`` /
    ``det_labeled``, as UberNet): a sample unlabeled for a task contributes
    nothing to that task's loss; a batch without any sample labeled for a
    task gives that task's loss as ``0 *`` its outputs, so every parameter
    is used every step (DDP without ``find_unused_parameters``).

    :meth:`predict` fills ``pred_sem_seg`` / ``seg_logits`` (resized to the
    original image) and ``pred_instances`` (boxes rescaled to the original
    image by ``scale_factor``, as mmdet detectors do) of ``DetDataSample``.

    Args:
        backbone (dict): mmseg backbone config.
        decode_head (dict, optional): mmseg decode head config.
        neck (dict, optional): mmdet neck of the detection branch.
        bbox_head (dict, optional): mmdet one-stage dense head config.
        train_cfg (dict, optional): ``det`` (the dense head's assigner /
            sampler config, mmdet's ``train_cfg``).
        test_cfg (dict, optional): ``det`` (NMS / score threshold, mmdet's
            ``test_cfg``).
        task_weights (dict): gamma_t of each task's loss. Defaults to 1.
        data_preprocessor (dict, optional): e.g. ``SegDataPreProcessor``
            (it pads images and ``gt_sem_seg``; boxes are unaffected by its
            right / bottom padding).
    """

    def __init__(self,
                 backbone: dict,
                 decode_head: Optional[dict] = None,
                 neck: Optional[dict] = None,
                 bbox_head: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 task_weights: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg=None):
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if decode_head is None and bbox_head is None:
            raise ValueError('MultiTaskSegDet: decode_head and bbox_head are '
                             'both None; give at least one task head')
        if bbox_head is None and neck is not None:
            raise ValueError('MultiTaskSegDet: neck is set but bbox_head is '
                             'None; the neck belongs to the detection branch')
        # mmdet heads read their cfgs by attribute (cfg.min_bbox_size):
        # ConfigDict also when the model is built from plain dicts
        train_cfg = ConfigDict(train_cfg or {})
        test_cfg = ConfigDict(test_cfg or {})
        self.backbone = _build(backbone, MODELS, 'mmseg')
        self.decode_head = (
            _build(decode_head, MODELS, 'mmseg')
            if decode_head is not None else None)
        self.neck = (
            _build(neck, MMDET_MODELS, 'mmdet') if neck is not None else None)
        if bbox_head is not None:
            bbox_head = dict(
                bbox_head,
                train_cfg=train_cfg.get('det'),
                test_cfg=test_cfg.get('det'))
            self.bbox_head = _build(bbox_head, MMDET_MODELS, 'mmdet')
        else:
            self.bbox_head = None
        self.train_cfg = train_cfg
        self.test_cfg = test_cfg
        self.task_weights = dict(seg=1.0, det=1.0)
        for task, weight in (task_weights or {}).items():
            if task not in TASKS:
                raise ValueError(f'task_weights: unknown task {task!r}; '
                                 f'expected keys in {TASKS}')
            self.task_weights[task] = float(weight)

    # ------------------------------------------------------------ structure
    @property
    def tasks(self) -> Tuple[str, ...]:
        """The tasks this network has a head for, in :data:`TASKS` order."""
        return tuple(t for t in TASKS if self.head(t) is not None)

    def head(self, task: str):
        return self.decode_head if task == 'seg' else self.bbox_head

    # -------------------------------------------------------------- forward
    def extract_feat(self, inputs: Tensor):
        return self.backbone(inputs)

    def forward_heads(self, inputs: Tensor) -> dict:
        """Backbone once, then every head over the whole batch: ``feats``
        (backbone outputs), ``det_feats`` (neck outputs) and per task the
        head's raw output (``seg``: logits; ``det``: ``(cls_scores,
        bbox_preds)`` as the dense head returns)."""
        feats = self.extract_feat(inputs)
        out = dict(feats=feats)
        if self.decode_head is not None:
            out['seg'] = self.decode_head(feats)
        if self.bbox_head is not None:
            det_feats = self.neck(feats) if self.neck is not None else feats
            out['det_feats'] = det_feats
            out['det'] = self.bbox_head(det_feats)
        return out

    def _forward(self, inputs: Tensor, data_samples=None):
        out = self.forward_heads(inputs)
        return {t: out[t] for t in self.tasks}

    def encode_decode(self, inputs: Tensor, batch_img_metas: List[dict]):
        """Segmentation logits at the input size (mmseg's segmentor API,
        used e.g. by the pseudo-label panels for the student's argmax)."""
        logits = self.decode_head(self.extract_feat(inputs))
        return self.decode_head.predict_by_feat(logits, batch_img_metas)

    def forward(self, inputs, data_samples=None, mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}".')

    # ---------------------------------------------------------------- losses
    def task_loss(self, task: str, fwd: dict, index: Tensor,
                  data_samples: Sequence) -> Dict[str, Tensor]:
        """Task ``task``'s losses for the samples ``index`` of the forward
        ``fwd`` (:meth:`forward_heads`), computed by the head's own ``loss``
        on its sliced output (``data_samples`` carry the targets:
        ``gt_sem_seg`` / ``gt_instances``), times gamma_t. An empty
        ``index`` gives ``{'loss_<task>_zero': 0 * outputs}``."""
        outputs = fwd[task]
        if len(index) == 0:
            return {f'loss_{task}_zero': zero_loss(outputs)}
        head = self.head(task)
        sliced = slice_batch(outputs, index)
        with precomputed_forward({head: sliced}):
            if task == 'seg':
                losses = head.loss(
                    slice_batch(fwd['feats'], index), list(data_samples),
                    self.train_cfg.get('seg'))
            else:
                losses = head.loss(
                    slice_batch(fwd['det_feats'], index),
                    with_tensor_boxes(data_samples))
        return reweight_loss_dict(losses, self.task_weights[task])

    def loss(self, inputs: Tensor, data_samples: Sequence) -> dict:
        """Supervised multi-task loss: each task over the samples labeled
        for it (``seg_labeled`` / ``det_labeled`` in the metainfo)."""
        fwd = self.forward_heads(inputs)
        losses = dict()
        for task in self.tasks:
            idx = labeled_index(data_samples, f'{task}_labeled')
            sel = [data_samples[i] for i in idx.tolist()]
            for k, v in self.task_loss(task, fwd, idx.to(inputs.device),
                                       sel).items():
                losses[f'{task}.{k}'] = v
        return losses

    # ------------------------------------------------------------ predict
    def predict(self, inputs: Tensor,
                data_samples: Optional[Sequence] = None) -> List:
        """``pred_sem_seg`` / ``seg_logits`` and ``pred_instances`` of each
        sample, in its original image frame."""
        if data_samples is None:
            shape = tuple(inputs.shape[2:])
            data_samples = [
                DetDataSample(
                    metainfo=dict(img_shape=shape, ori_shape=shape))
                for _ in range(inputs.shape[0])
            ]
        fwd = self.forward_heads(inputs)
        if self.decode_head is not None:
            self._predict_seg(fwd['seg'], inputs, data_samples)
        if self.bbox_head is not None:
            metas = []
            for ds in data_samples:
                meta = dict(ds.metainfo)
                meta.setdefault('scale_factor', (1.0, 1.0))
                metas.append(meta)
            results = self.detections(fwd['det'], metas, rescale=True)
            for ds, res in zip(data_samples, results):
                ds.pred_instances = res
        return list(data_samples)

    def detections(self, det_out, batch_img_metas: List[dict],
                   rescale: bool) -> List:
        """The dense head's post-processing (box decoding, NMS) of its
        outputs ``det_out``, in float32 with autocast disabled: under
        ``--amp`` the outputs (and the anchors mmdet makes in their dtype)
        are half precision, and mmcv's NMS reads float32 boxes only."""
        device = det_out[0][0].device
        det_out = [[o.float() for o in level] for level in det_out]
        with torch.autocast(device.type, enabled=False):
            return self.bbox_head.predict_by_feat(
                *det_out, batch_img_metas=batch_img_metas, rescale=rescale)

    def _predict_seg(self, logits: Tensor, inputs: Tensor,
                     data_samples: Sequence) -> None:
        logits = resize(
            logits,
            size=tuple(inputs.shape[2:]),
            mode='bilinear',
            align_corners=self.decode_head.align_corners)
        for k, ds in enumerate(data_samples):
            h, w = ds.metainfo.get('img_shape', inputs.shape[2:])[:2]
            one = logits[k:k + 1, :, :int(h), :int(w)]
            if ds.metainfo.get('flip', False):
                axis = (3, ) if ds.metainfo.get(
                    'flip_direction', 'horizontal') == 'horizontal' else (2, )
                one = one.flip(dims=axis)
            ori = ds.metainfo.get('ori_shape', (int(h), int(w)))[:2]
            one = resize(
                one,
                size=tuple(int(s) for s in ori),
                mode='bilinear',
                align_corners=self.decode_head.align_corners)[0]
            ds.seg_logits = PixelData(data=one)
            if one.shape[0] > 1:
                pred = one.argmax(dim=0, keepdim=True)
            else:
                pred = (one.sigmoid() > self.decode_head.threshold).long()
            ds.pred_sem_seg = PixelData(data=pred)

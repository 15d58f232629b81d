"""What a config's training dataloader yields, sample by sample: the weak
and the strong view, the labels of each, and the weak view's labels (and
boxes) matched into the strong frame through the recorded homographies,
with the project's own matching (``warp_labels``, ``stack_homographies``,
``valid_hw``, ``project_boxes``). For mixing configs also the mixed image
and mixed targets from the model's own ``build_unsup_batch``.

Used by ``tools/analysis_tools/browse_semi_views.py``; see its help.
"""
import copy
import dataclasses
import os
import os.path as osp
from typing import Dict, Iterator, List, Optional

import numpy as np
import torch
import torch.nn.functional as F

from mmssl.engine.hooks.pseudo_label_vis_hook import (_to_rgb, colorize,
                                                      draw_boxes)
from mmssl.models.multitask.box_pseudo_labels import project_boxes
from mmssl.models.utils.input_normalisation import (input_normalisation,
                                                    to_uint8_rgb)
from mmssl.models.utils import (PseudoTargets, stack_homographies,
                                strong_ignore_region, valid_hw, warp_labels)

IGNORE = 255
# LoadEmptySegMap's value for "in the view, no label" (unlabeled samples)
NO_LABEL = 254
BOX_OWN = (0, 255, 0)  # a view's own ground-truth boxes
BOX_MATCHED = (255, 255, 0)  # weak boxes projected into the strong view


def build_train_loader(cfg, num_workers: int = 0):
    """The config's training dataloader, in this process."""
    from mmengine.runner import Runner
    loader_cfg = copy.deepcopy(cfg.train_dataloader)
    loader_cfg.update(num_workers=num_workers, persistent_workers=False)
    return Runner.build_dataloader(loader_cfg, seed=cfg.get(
        'randomness', {}).get('seed'))


def _labels(ds) -> Optional[torch.Tensor]:
    if 'gt_sem_seg' not in ds:
        return None
    return ds.gt_sem_seg.data[0].long()


def _boxes(ds) -> Optional[torch.Tensor]:
    if 'gt_instances' not in ds or 'bboxes' not in ds.gt_instances:
        return None
    b = ds.gt_instances.bboxes
    return getattr(b, 'tensor', b).float()


def _has_seg_labels(ds, labels) -> bool:
    for key in ('seg_labeled', 'is_labeled'):
        if key in ds.metainfo:
            return bool(ds.metainfo[key])
    return labels is not None and bool((labels < NO_LABEL).any())


def match_sample(weak_ds, strong_ds) -> Dict:
    """The weak view's labels and boxes in the strong frame, and how well
    the matched labels agree with the strong view's own labels."""
    hw_w, hw_s = valid_hw(weak_ds), valid_hw(strong_ds)
    hw_w = tuple(_labels(weak_ds).shape[-2:]) if _labels(
        weak_ds) is not None else hw_w
    h_w = stack_homographies([weak_ds], 'cpu')
    h_s = stack_homographies([strong_ds], 'cpu')
    out = dict(strong_hw=hw_s)
    wl, sl = _labels(weak_ds), _labels(strong_ds)
    if wl is not None:
        matched = warp_labels(wl[None], h_w, h_s, dst_shape=hw_s,
                              src_valid_shapes=[hw_w],
                              ignore_index=IGNORE)[0]
        out['matched_labels'] = matched
        if sl is not None:
            both = (matched < NO_LABEL) & (sl[:hw_s[0], :hw_s[1]] < NO_LABEL)
            n = int(both.sum())
            agree = int((matched[both] == sl[:hw_s[0], :hw_s[1]][both]).sum())
            out.update(compared=n, agreed=agree,
                       agreement=agree / n if n else float('nan'))
    wb = _boxes(weak_ds)
    if wb is not None:
        boxes, keep = project_boxes(wb, h_w[0], h_s[0], hw_s, min_size=1.0)
        out['matched_boxes'] = boxes[keep]
    return out


def iter_samples(loader, num: int) -> Iterator[Dict]:
    """Up to ``num`` samples of the dataloader, each with its batch (for
    mixing) and position in it."""
    seen = 0
    for data_batch in loader:
        inputs, samples = data_batch['inputs'], data_batch['data_samples']
        if not isinstance(inputs, dict) or 'weak' not in inputs:
            raise ValueError(
                'the training dataloader does not yield weak / strong views '
                "(inputs['weak'], inputs['strong']): is this a "
                'semi-supervised config?')
        for k in range(len(inputs['weak'])):
            if seen >= num:
                return
            yield dict(
                batch=data_batch,
                index=k,
                weak_img=inputs['weak'][k],
                strong_img=inputs['strong'][k],
                weak_ds=samples['weak'][k],
                strong_ds=samples['strong'][k])
            seen += 1


def mixes(cfg) -> bool:
    return cfg.model.get('type') == 'MixSemiSegmentor'


def build_mixing_model(cfg):
    """The config's model with random weights: only its data preprocessor
    and ``build_unsup_batch`` (the mask generator and mixing) are used."""
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    model_cfg = copy.deepcopy(cfg.model)
    seg = model_cfg.get('segmentor', {})
    seg['pretrained'] = None
    if 'init_cfg' in seg.get('backbone', {}):
        seg['backbone']['init_cfg'] = None
    model = MODELS.build(model_cfg)
    model.train()
    return model


@torch.no_grad()
def mix_batch(model, data_batch) -> Dict[int, Dict]:
    """The model's own mixing on one batch, with the weak views' ground
    truth matched into the strong frame as stand-in pseudo-labels (a
    perfect teacher): every sample of the batch is mixed (as ``unsup_on=
    'all'``), so labeled samples show class-based masks too. Returns, per
    batch index, the mixed image (RGB uint8) and mixed targets."""
    data = model.data_preprocessor(data_batch, True)
    batch = model.split_batch(data['inputs'], data['data_samples'])
    n = len(batch.weak_samples)
    batch = dataclasses.replace(batch, unsup_idx=torch.arange(n))
    shape = tuple(batch.strong_inputs.shape[-2:])
    wl = torch.stack([
        F.pad(ds.gt_sem_seg.data[0].long(),
              (0, batch.weak_inputs.shape[-1] - ds.gt_sem_seg.data.shape[-1],
               0, batch.weak_inputs.shape[-2] - ds.gt_sem_seg.data.shape[-2]),
              value=IGNORE) for ds in batch.weak_samples
    ])
    wl = torch.where(wl >= NO_LABEL, torch.full_like(wl, IGNORE), wl)
    labels = warp_labels(
        wl, stack_homographies(batch.weak_samples, 'cpu'),
        stack_homographies(batch.strong_samples, 'cpu'), dst_shape=shape,
        src_valid_shapes=[valid_hw(ds) for ds in batch.weak_samples],
        ignore_index=IGNORE)
    ignore = strong_ignore_region(batch.strong_samples, shape, 'cpu', IGNORE)
    labels[ignore] = IGNORE
    valid = labels != IGNORE
    probs = None
    if getattr(model, 'needs_probs', False):
        num_classes = model.num_classes
        probs = F.one_hot(labels.clamp(max=num_classes - 1),
                          num_classes).permute(0, 3, 1, 2).float()
        probs = probs * valid.unsqueeze(1)
    targets = PseudoTargets(labels=labels, confidence=valid.float(),
                            valid=valid, weak_labels=wl, probs=probs)
    unsup = model.build_unsup_batch(batch, targets)
    out = {}
    images = _uint8_rgb(model, unsup.inputs)
    for j, i in enumerate(batch.unsup_idx.tolist()):
        h, w = valid_hw(batch.strong_samples[i])
        out[i] = dict(
            mixed_img=(images[j, :, :h, :w].permute(1, 2, 0).numpy()
                       if images is not None else None),
            mixed_labels=unsup.targets.labels[j][:h, :w])
    return out


def _uint8_rgb(model, inputs: torch.Tensor) -> Optional[torch.Tensor]:
    """The model's (normalised) inputs as uint8 RGB ``[n, 3, H, W]``."""
    norm = input_normalisation(model.data_preprocessor)
    return None if norm is None else to_uint8_rgb(inputs.cpu().float(),
                                                  norm)


# ---------------------------------------------------------------- drawing
def _label_rgb(labels: Optional[torch.Tensor], palette, hw) -> np.ndarray:
    if labels is None:
        return np.zeros(tuple(hw) + (3, ), np.uint8)
    arr = labels.cpu().numpy()
    rgb = colorize(arr, palette, IGNORE)
    # in the view, no label (unlabeled sample): a dark checkerboard
    yy, xx = np.indices(arr.shape)
    checker = np.where(((yy // 4 + xx // 4) % 2)[..., None] == 0, 24, 48)
    nl = arr == NO_LABEL
    rgb[nl] = checker.astype(np.uint8).repeat(3, -1)[nl]
    return rgb


def _overlay(img: np.ndarray, labels: Optional[torch.Tensor], palette,
             alpha: float = 0.6) -> np.ndarray:
    out = img.astype(np.float32).copy()
    if labels is not None:
        arr = labels.cpu().numpy()[:img.shape[0], :img.shape[1]]
        valid = arr < NO_LABEL
        out[valid] = (1 - alpha) * out[valid] + alpha * colorize(
            arr, palette, IGNORE)[valid]
    return out.astype(np.uint8)


def _titled(img: np.ndarray, title: str, h: int, w: int,
            scale: int) -> np.ndarray:
    import cv2
    bar = 18
    canvas = np.full((h * scale + bar, w * scale, 3), 32, np.uint8)
    hh, ww = min(h, img.shape[0]), min(w, img.shape[1])
    canvas[bar:bar + hh * scale, :ww * scale] = np.repeat(
        np.repeat(img[:hh, :ww], scale, 0), scale, 1)
    cv2.putText(canvas, title, (3, 13), cv2.FONT_HERSHEY_SIMPLEX, 0.4,
                (255, 255, 255), 1, cv2.LINE_AA)
    return canvas


def render_sample(sample: Dict, match: Dict, palette,
                  mixed: Optional[Dict] = None) -> np.ndarray:
    """One image: top row the views (and the mixed image), bottom row their
    labels, the matched weak labels over the strong view, and the mixed
    targets. Boxes: green = the view's own, yellow = matched from weak."""
    weak, strong = _to_rgb(sample['weak_img']), _to_rgb(sample['strong_img'])
    wds, sds = sample['weak_ds'], sample['strong_ds']
    wb, sb = _boxes(wds), _boxes(sds)
    if wb is not None:
        weak = draw_boxes(weak, wb, BOX_OWN)
        strong = draw_boxes(strong, sb, BOX_OWN)
    wl, sl = _labels(wds), _labels(sds)
    over = _overlay(_to_rgb(sample['strong_img']), match.get('matched_labels'),
                    palette)
    if match.get('matched_boxes') is not None:
        over = draw_boxes(over, match['matched_boxes'], BOX_MATCHED)
    agree = match.get('agreement')
    top = [(weak, 'weak view'), (strong, 'strong view')]
    bottom = [(_label_rgb(wl, palette, weak.shape[:2]), 'weak labels'),
              (_label_rgb(sl, palette, strong.shape[:2]), 'strong labels'),
              (over, 'weak matched into strong' + (
                  f': {100 * agree:.1f}% agree' if agree is not None
                  and agree == agree else ''))]
    if mixed is not None:
        if mixed.get('mixed_img') is not None:
            top.append((mixed['mixed_img'], 'mixed image'))
        bottom.append((_label_rgb(mixed['mixed_labels'], palette,
                                  strong.shape[:2]), 'mixed targets'))
    cols = max(len(top), len(bottom))
    h = max(im.shape[0] for im, _ in top + bottom)
    w = max(im.shape[1] for im, _ in top + bottom)
    scale = max(1, 256 // max(h, w))  # small views: nearest upscaling
    blank = (np.zeros((h, w, 3), np.uint8), '')
    rows = []
    for row in (top, bottom):
        row = row + [blank] * (cols - len(row))
        rows.append(np.concatenate(
            [_titled(im, t, h, w, scale) for im, t in row], 1))
    return np.concatenate(rows, 0)


def sample_name(k: int, ds) -> str:
    path = ds.metainfo.get('img_path') or f'sample{k}'
    stem = osp.splitext(osp.basename(path))[0]
    return f'{k:04d}_{stem}'


def palette_of(loader, num_classes: int = 256) -> np.ndarray:
    meta = getattr(loader.dataset, 'metainfo', None) or {}
    if meta.get('palette'):
        return np.asarray(meta['palette'], dtype=np.uint8)
    return np.random.RandomState(0).randint(0, 255, (num_classes, 3)).astype(
        np.uint8)


def browse(cfg, output_dir: Optional[str], num: int, show: bool = False,
           mix: bool = True, log=print) -> List[Dict]:
    """Write (and/or show) one image per sample; returns per-sample
    statistics (name, labeled, agreement, compared pixels, path)."""
    import cv2
    if output_dir:
        os.makedirs(output_dir, exist_ok=True)
    loader = build_train_loader(cfg)
    palette = palette_of(loader)
    model = None
    if mix and mixes(cfg):
        log('[browse] mixing config: building the model (random weights) '
            'for its build_unsup_batch; the weak labels matched into the '
            'strong frame stand in for the teacher\'s pseudo-labels')
        model = build_mixing_model(cfg)
    stats, mixed_of, batch_id = [], {}, None
    for k, sample in enumerate(iter_samples(loader, num)):
        if model is not None and id(sample['batch']) != batch_id:
            batch_id = id(sample['batch'])
            mixed_of = mix_batch(model, sample['batch'])
        match = match_sample(sample['weak_ds'], sample['strong_ds'])
        img = render_sample(sample, match, palette,
                            mixed_of.get(sample['index']) if model else None)
        name = sample_name(k, sample['weak_ds'])
        path = None
        if output_dir:
            path = osp.join(output_dir, name + '.png')
            cv2.imwrite(path, img[..., ::-1])
        if show:
            cv2.imshow('browse_semi_views', img[..., ::-1])
            cv2.waitKey(0)
        st = dict(name=name, path=path,
                  labeled=_has_seg_labels(sample['weak_ds'],
                                          _labels(sample['weak_ds'])),
                  agreement=match.get('agreement'),
                  compared=match.get('compared', 0),
                  boxes=(len(match['matched_boxes'])
                         if 'matched_boxes' in match else None))
        stats.append(st)
        msg = (f'agreement {100 * st["agreement"]:.2f}% on '
               f'{st["compared"]} px' if st['agreement'] is not None
               and st['agreement'] == st['agreement'] else 'no labels to '
               'compare')
        if st['boxes'] is not None:
            msg += f', {st["boxes"]} boxes matched'
        log(f'[browse] {k + 1}/{num} {name}: {msg}' +
            (f' -> {path}' if path else ''))
    return stats

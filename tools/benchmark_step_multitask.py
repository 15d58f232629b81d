"""Time one multi-task semi-supervised training iteration (SemiMultiTask:
Dense FixMatch / FixMatch* for segmentation + detection), split into its
parts.

The multi-task counterpart of ``tools/benchmark_step.py``. Parts: data
(loading + both views through the config's real pipeline on the generated
Cityscapes-format data, boxes from ``tools/convert_cityscapes_boxes.py``),
preprocess, task split (per-task flags), teacher forward (one forward, both
heads), teacher box decoding + NMS (the RetinaNet head's own
post-processing), segmentation matching (``warp_labels`` + the strong
view's ignore region), box selection + projection (score threshold,
``bbox_project``, clipping), pseudo-label post-processing (the rest of
``make_pseudo_targets``: logits resize, softmax/argmax), pseudo-labelled
data samples, statistics + hook info, student forward + backward +
optimizer step (one forward for both heads and every loss by the heads'
own code), EMA update (fused), ramp, logging (loss parsing).

The mmssl-specific share (task split, matching, box projection, pseudo-label
post-processing, pseudo samples, statistics / hook info, EMA, ramp,
logging) is reported as a percentage of the iteration against the 5 %
budget. The teacher's forward and its detection decoding + NMS are the
teacher's inference (counted outside the share, like the teacher forward
in ``tools/benchmark_step.py``).

Usage (CPU, small batch):
    python tools/convert_cityscapes_boxes.py data/synthetic/cityscapes
    python tools/make_splits.py --dataset cityscapes \
        --data-root data/synthetic/cityscapes --multitask d-8-24
    python tools/benchmark_step_multitask.py \
        configs/semi_multitask/dense-fixmatch_deeplabv3plus-retinanet_r50_4xb4-explicit-89k_cityscapes-mt-d-93-744.py \
        --data-root data/synthetic/cityscapes/ \
        --split splits/multitask/d-8-24/split0 \
        --batch 2 --num-labeled 1 --iters 2 --warmup 1
"""
import argparse
import time
from unittest import mock

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from torch.utils.data import DataLoader

from benchmark_step import Timer


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('--data-root', default='data/synthetic/cityscapes/')
    p.add_argument('--split', default='splits/multitask/d-8-24/split0',
                   help='folder (relative to data root) with '
                   'seg_labeled.txt / det_labeled.txt')
    p.add_argument('--batch', type=int, default=None,
                   help='per-device batch (default: the config\'s)')
    p.add_argument('--num-labeled', type=int, default=None)
    p.add_argument('--iters', type=int, default=3)
    p.add_argument('--warmup', type=int, default=1)
    p.add_argument('--workers', type=int, default=2)
    p.add_argument('--det-score-thr', type=float, default=None,
                   help='override semi_train_cfg.det_score_thr (0.5); the '
                   'head\'s own test_cfg score_thr (0.05) still applies '
                   'first, so an untrained teacher (RetinaNet prior 0.01) '
                   'gives no box whatever this is')
    p.add_argument('--device', default='cuda' if torch.cuda.is_available()
                   else 'cpu')
    return p.parse_args()


def build(cfg, args):
    from mmseg.registry import DATASETS, MODELS
    from mmssl.datasets.samplers import ExplicitSemiSampler
    from mmssl.utils import replace_sync_bn
    replace_sync_bn(cfg.model)
    if args.det_score_thr is not None:
        cfg.model.semi_train_cfg.det_score_thr = args.det_score_thr
    cfg.model.model.backbone.init_cfg = None  # no download; timing only
    ds_cfg = cfg.train_dataloader.dataset
    for part in ('labeled', 'unlabeled'):
        ds_cfg[part].data_root = args.data_root
        ds_cfg[part].seg_split = f'{args.split}/seg_labeled.txt'
        ds_cfg[part].det_split = f'{args.split}/det_labeled.txt'
    dataset = DATASETS.build(ds_cfg)
    batch = args.batch or cfg.train_dataloader.batch_size
    n_lab = args.num_labeled if args.num_labeled is not None else (
        cfg.train_dataloader.sampler.get('num_labeled', batch // 2))
    sampler = ExplicitSemiSampler(dataset, batch, n_lab, seed=0)
    loader = DataLoader(dataset, batch_size=batch, sampler=sampler,
                        num_workers=args.workers, collate_fn=pseudo_collate,
                        persistent_workers=args.workers > 0)
    model = MODELS.build(cfg.model)
    model.init_weights()  # heads' own init (RetinaNet prior bias), no
    # pretrained backbone: an untrained teacher's box count is realistic
    model = model.to(args.device)
    model.train()
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    return loader, model, optim, batch, n_lab


def main():
    args = parse_args()
    import mmssl  # noqa: F401
    import mmssl.models.multitask.semi_multitask as mt
    from mmssl.engine.hooks import EMATeacherHook
    from mmssl.engine.hooks.ema_teacher_hook import ema_update_reference
    from mmssl.engine.hooks.unsup_weight_hook import unsup_weight_at

    cfg = Config.fromfile(args.config)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    loader, model, optim, batch, n_lab = build(cfg, args)
    timer = Timer(args.device)
    ema = EMATeacherHook(decay=0.99)
    crop = cfg.model.data_preprocessor.data_preprocessor.get('size')
    head = model.teacher.bbox_head
    W = timer.wrap
    patches = [
        mock.patch.object(model, 'split_tasks',
                          W('task split', model.split_tasks)),
        mock.patch.object(model.teacher, 'forward_heads',
                          W('teacher forward', model.teacher.forward_heads)),
        mock.patch.object(head, 'predict_by_feat',
                          W('teacher box decoding + NMS',
                            head.predict_by_feat)),
        mock.patch.object(mt, 'warp_labels',
                          W('seg matching', mt.warp_labels)),
        mock.patch.object(mt, 'strong_ignore_region',
                          W('seg matching', mt.strong_ignore_region)),
        mock.patch.object(mt, 'confident_boxes',
                          W('box selection + projection',
                            mt.confident_boxes)),
        mock.patch.object(mt, 'project_boxes',
                          W('box selection + projection', mt.project_boxes)),
        mock.patch.object(model, 'make_pseudo_targets',
                          W('_pseudo-targets', model.make_pseudo_targets)),
        mock.patch.object(model, 'pseudo_sample',
                          W('pseudo samples', model.pseudo_sample)),
        mock.patch.object(model, 'pseudo_label_stats',
                          W('stats + hook info', model.pseudo_label_stats)),
        mock.patch.object(model, 'hook_info',
                          W('stats + hook info', model.hook_info)),
    ]
    for p in patches:
        p.start()
    it = iter(loader)
    iters, boxes = [], []
    for i in range(args.warmup + args.iters):
        timer.enabled = i >= args.warmup
        t_iter = time.perf_counter()
        with timer('data'):
            data = next(it)
        with timer('preprocess'):
            data = model.data_preprocessor(data, True)
        with timer('_loss+backward'):
            losses = model.loss(data['inputs'], data['data_samples'])
            with timer('logging (loss parsing)'):
                loss, log_vars = model.parse_losses(losses)
            optim.update_params(loss)
        with timer('EMA update (fused)'):
            ema.ema_update(model.teacher, model.student, ema.decay)
        with timer('ramp'):
            model.unsup_weight = unsup_weight_at(i, 100, 1.0, 'sigmoid')
        if timer.enabled:
            iters.append(time.perf_counter() - t_iter)
            boxes.append(float(log_vars.get('pseudo_boxes_per_img', 0.0)))
    for p in patches:
        p.stop()

    t = {k: v / args.iters for k, v in timer.total.items()}
    t['pseudo-label post-processing'] = t.pop('_pseudo-targets', 0.0) - sum(
        t.get(k, 0.0) for k in ('teacher forward',
                                'teacher box decoding + NMS',
                                'seg matching', 'box selection + projection'))
    inner = ('task split', 'teacher forward', 'teacher box decoding + NMS',
             'seg matching', 'box selection + projection',
             'pseudo-label post-processing', 'pseudo samples',
             'stats + hook info', 'logging (loss parsing)')
    t['student forward+backward+step'] = t.pop('_loss+backward') - sum(
        t.get(k, 0.0) for k in inner)
    total = sum(iters) / len(iters)
    specific = ('task split', 'seg matching', 'box selection + projection',
                'pseudo-label post-processing', 'pseudo samples',
                'stats + hook info', 'EMA update (fused)', 'ramp',
                'logging (loss parsing)')
    print(f'\nconfig: {args.config}\ndevice: {args.device}  batch/device: '
          f'{batch} ({n_lab} labeled)  crop: {crop}  iters timed: '
          f'{args.iters}  teacher boxes >= thr per image (mean): '
          f'{sum(boxes) / len(boxes):.2f} (det_score_thr '
          f'{model.det_score_thr})')
    print(f'{"part":40s} {"ms":>10s} {"% iter":>8s}')
    for k in ('data', 'preprocess', 'task split', 'teacher forward',
              'teacher box decoding + NMS', 'seg matching',
              'box selection + projection', 'pseudo-label post-processing',
              'pseudo samples', 'stats + hook info',
              'student forward+backward+step', 'EMA update (fused)', 'ramp',
              'logging (loss parsing)'):
        print(f'{k:40s} {1e3 * t.get(k, 0.0):10.2f} '
              f'{100 * t.get(k, 0.0) / total:8.2f}')
    print(f'{"iteration (wall)":40s} {1e3 * total:10.2f} {100.0:8.2f}')
    share = sum(t.get(k, 0.0) for k in specific) / total
    print(f'mmssl-specific share: {100 * share:.2f} % '
          f'({"within" if share < 0.05 else "ABOVE"} the 5 % budget)')
    reps = 3
    for name, fn in (('fused', lambda: ema.ema_update(
            model.teacher, model.student, 0.99)),
                     ('per-parameter loop', lambda: ema_update_reference(
                         model.teacher, model.student, 0.99))):
        fn()
        with timer(f'ema {name}'):
            for _ in range(reps):
                fn()
    n = sum(p.numel() for p in model.student.parameters())
    print(f'EMA update, {n / 1e6:.1f} M params + BN buffers: fused '
          f'{1e3 * timer.total["ema fused"] / reps:.2f} ms, per-parameter '
          f'loop {1e3 * timer.total["ema per-parameter loop"] / reps:.2f} ms')


if __name__ == '__main__':
    main()

"""Time multi-task semi-supervised training iterations (SemiMultiTask:
Dense FixMatch / FixMatch* for segmentation + detection), split into their
parts.

The multi-task counterpart of ``tools/benchmark_step.py`` (same profiler
harness, ``tools/benchmark_common.py``): data (loading + both views through
the config's real pipeline on the generated Cityscapes-format data, boxes
from ``tools/convert_cityscapes_boxes.py``), preprocess, every
``mmssl.<step>`` range of the core's training-step template found in the
profile (task split, pseudo-targets: teacher forward + segmentation
matching + box selection and projection, the student's forward and each
task's losses, hook info, ...) with its own time, the part inside the
teacher / student networks and the rest, then loss parsing, backward +
optimizer step, EMA update (fused) and ramp. The mmssl-specific share
(everything mmssl does outside the networks, see
``tools/benchmark_common.py``) is reported against the 5 % budget; the
teacher head's box decoding + NMS (``predict_by_feat``, mmdet model code)
counts as the teacher's inference, as before (with ``--no-stack`` it
counts as mmssl).

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
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import benchmark_common as bc  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    bc.add_step_args(
        p, 'splits/multitask/d-8-24/split0',
        'folder (relative to data root) with seg_labeled.txt / '
        'det_labeled.txt', 3)
    p.add_argument('--det-score-thr', type=float, default=None,
                   help='override semi_train_cfg.det_score_thr (0.5); the '
                   'head\'s own test_cfg score_thr (0.05) still applies '
                   'first, so an untrained teacher (RetinaNet prior 0.01) '
                   'gives no box whatever this is')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    bc.prepare_device(args.device)
    import mmssl  # noqa: F401
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    cfg = Config.fromfile(args.config)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    if args.det_score_thr is not None:
        cfg.model.semi_train_cfg.det_score_thr = args.det_score_thr
    cfg.model.model.backbone.init_cfg = None  # no download; timing only
    # heads' own init (RetinaNet prior bias), no pretrained backbone: an
    # untrained teacher's box count is realistic
    loader, model, optim, batch, n_lab = bc.build_step_setup(
        cfg, args, dict(seg_split='{split}/seg_labeled.txt',
                        det_split='{split}/det_labeled.txt'),
        init_weights=True)
    crop = cfg.model.data_preprocessor.data_preprocessor.get('size')
    boxes = []

    def count_boxes(i, log_vars, timed):
        if timed:
            boxes.append(float(log_vars.get('pseudo_boxes_per_img', 0.0)))

    prof = bc.profile_training(
        model, iter(loader), optim, args.iters, args.warmup, args.device,
        args.amp, ema=bc.fused_ema(), ramp=bc.sigmoid_ramp(),
        on_iteration=count_boxes, trace=args.trace,
        with_stack=not args.no_stack)
    bc.print_step_header(
        args, batch, n_lab, crop,
        f'  teacher boxes >= thr per image (mean): '
        f'{sum(boxes) / max(len(boxes), 1):.2f} (det_score_thr '
        f'{model.det_score_thr})')
    print(bc.step_report(prof, bc.parse_budgets(args.step_budget)))
    print(bc.ema_comparison(model, reps=3))


if __name__ == '__main__':
    main()

# Copyright (c) mmssl contributors.
"""Pseudo-label an unlabeled split with a trained model (DARS and friends).

Usage:
    python tools/pseudo_label.py CONFIG CHECKPOINT --out DIR [options]
    bash tools/dist_pseudo_label.sh CONFIG CHECKPOINT GPUS --out DIR [...]

CHECKPOINT is a plain mmseg checkpoint or an mmssl semi checkpoint (its
teacher is used). Images are predicted with the config's ``test_cfg`` (whole
or slide inference), optionally with flip, twice: a statistics pass
(per-class confidence histograms) and a writing pass (PNGs, 255 = ignore, in
the dataset's layout under DIR, e.g. ``DIR/gtFine/train/<city>/<name>_gtFine
_labelTrainIds.png``), plus ``DIR/summary.json`` and
``DIR/class_distribution.png``. Rerunning the same command resumes.

Data and settings come from the config's optional ``pseudo_label_cfg``::

    pseudo_label_cfg = dict(
        unlabeled=dict(type=..., data_root=..., ann_file=..., data_prefix=
                       dict(img_path=...)),      # default: the unlabeled
        labeled=dict(...),                       # and labeled parts of a
                                                 # SemiDataset train set
        seg_map_path='gtFine/train',             # default: labeled's
        policy=dict(type='DARS', alpha=0.2),     # ST / CBST / DA / DARS
        target_distribution=None,                # list / summary JSON
        num_bins=1000, num_chunks=32, seed=0, flip=False)

and the command line overrides them.
"""
import argparse
import copy
import json
import os
import os.path as osp
import sys

from mmengine.config import Config, DictAction


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    p.add_argument('config')
    p.add_argument('checkpoint')
    p.add_argument('--out', required=True, help='output root')
    p.add_argument('--policy', choices=['ST', 'CBST', 'DA', 'DARS'])
    p.add_argument('--alpha', type=float, help='labeling ratio (0, 1]')
    p.add_argument('--threshold', type=float, help='ST confidence threshold')
    p.add_argument('--temperature', type=float, help='temperature scaling')
    p.add_argument('--flip', action='store_true', default=None,
                   help='average with the horizontally flipped prediction')
    p.add_argument('--num-bins', type=int)
    p.add_argument('--num-chunks', type=int,
                   help='fixed image chunks (>= number of processes)')
    p.add_argument('--seed', type=int, help='seed of the random sampling')
    p.add_argument('--unlabeled-split', help='ann_file of the unlabeled set')
    p.add_argument('--labeled-split', help='ann_file of the labeled set')
    p.add_argument('--target-distribution',
                   help='summary JSON / JSON list / comma-separated shares')
    p.add_argument('--cfg-options', nargs='+', action=DictAction)
    p.add_argument('--launcher', choices=['none', 'pytorch'], default='none')
    p.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return p.parse_args(argv)


def _dataset_parts(cfg):
    """(unlabeled, labeled) dataset configs from pseudo_label_cfg or the
    training set."""
    pl = cfg.get('pseudo_label_cfg') or {}
    train = (cfg.get('train_dataloader') or {}).get('dataset') or {}
    unlabeled = pl.get('unlabeled') or train.get('unlabeled')
    labeled = pl.get('labeled') or train.get('labeled')
    if labeled is None and 'seg_map_path' in (train.get('data_prefix') or {}):
        labeled = train
    if unlabeled is None:
        raise KeyError(f'{cfg.filename}: no unlabeled split; set '
                       'pseudo_label_cfg.unlabeled (a dataset config) or '
                       'train on a SemiDataset')
    return copy.deepcopy(unlabeled), copy.deepcopy(labeled)


def _inference_pipeline(cfg):
    """The config's test pipeline without annotation loading (the
    unlabeled images have none), or load + pack."""
    pipe = cfg.get('test_pipeline') or [
        dict(type='LoadCheckedImageFromFile'),
        dict(type='PackSegInputs')
    ]
    return [copy.deepcopy(t) for t in pipe if 'Annotation' not in t['type']]


def _init_dist(launcher):
    import torch
    import torch.distributed as dist
    if launcher == 'none':
        return 'cuda:0' if torch.cuda.is_available() else 'cpu'
    if torch.cuda.is_available():
        local = int(os.environ.get('LOCAL_RANK', 0))
        torch.cuda.set_device(local)
        dist.init_process_group('nccl')
        return f'cuda:{local}'
    dist.init_process_group('gloo')
    return 'cpu'


def main(argv=None):
    args = parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    from mmengine.registry import init_default_scope

    import mmssl  # noqa: F401
    from mmseg.registry import DATASETS
    from mmssl.pseudo_labeling import (build_policy, labeled_class_counts,
                                       load_target_distribution, normalise)
    from mmssl.pseudo_labeling.model_loading import build_segmentor
    from mmssl.pseudo_labeling.offline import (OfflinePseudoLabeler,
                                               SegmentorPredictor)

    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    pl = dict(cfg.get('pseudo_label_cfg') or {})
    device = _init_dist(args.launcher)
    init_default_scope(cfg.get('default_scope', 'mmseg'))

    unlabeled, labeled = _dataset_parts(cfg)
    if args.unlabeled_split:
        unlabeled['ann_file'] = osp.abspath(args.unlabeled_split)
    if args.labeled_split:
        if labeled is None:
            raise KeyError(f'{args.config}: --labeled-split given but the '
                           'config names no labeled dataset')
        labeled['ann_file'] = osp.abspath(args.labeled_split)
    seg_prefix = pl.get('seg_map_path') or (
        (labeled or {}).get('data_prefix') or {}).get('seg_map_path')
    if not seg_prefix or osp.isabs(seg_prefix):
        raise ValueError(f'{args.config}: set pseudo_label_cfg.seg_map_path '
                         "to the dataset's label folder relative to its "
                         f"root (e.g. 'gtFine/train'), got {seg_prefix!r}")
    prefix = dict(unlabeled.get('data_prefix') or {})
    prefix.pop('seg_map_path', None)
    unlabeled.update(data_prefix=prefix, pipeline=_inference_pipeline(cfg))
    dataset = DATASETS.build(unlabeled)
    classes = list(dataset.metainfo['classes'])
    num_classes = len(classes)

    policy_cfg = dict(pl.get('policy') or dict(type='DARS', alpha=0.2))
    if args.policy and args.policy != policy_cfg['type']:
        policy_cfg = dict(type=args.policy)
    for key in ('alpha', 'threshold', 'temperature'):
        if getattr(args, key) is not None:
            policy_cfg[key] = getattr(args, key)
    policy = build_policy(policy_cfg)

    labeled_counts = target = None
    spec = args.target_distribution or pl.get('target_distribution')
    if isinstance(spec, str) and not osp.isfile(spec) and ',' in spec:
        spec = [float(x) for x in spec.split(',')]
    if spec is not None:
        target = load_target_distribution(spec, num_classes)
    elif labeled is not None:
        labeled_counts = labeled_class_counts(labeled, num_classes)
        target = normalise(labeled_counts)
    if policy.needs_target and target is None:
        raise ValueError(f'{policy_cfg["type"]} needs the labeled split: set '
                         'pseudo_label_cfg.labeled or --target-distribution')
    if labeled is not None and labeled.get('ann_file') and \
            unlabeled.get('ann_file'):
        _warn_overlap(labeled, unlabeled)

    model = build_segmentor(cfg, args.checkpoint, device)
    flip = bool(args.flip if args.flip is not None else pl.get('flip', False))
    st = os.stat(args.checkpoint)
    fingerprint = dict(
        checkpoint=osp.abspath(args.checkpoint),
        checkpoint_size=st.st_size,
        checkpoint_mtime_ns=st.st_mtime_ns,
        test_cfg=json.loads(json.dumps(model.test_cfg, default=str)),
        flip=flip)
    labeler = OfflinePseudoLabeler(
        SegmentorPredictor(model, flip=flip,
                           temperature=policy.temperature),
        dataset,
        policy,
        num_classes=num_classes,
        out_root=args.out,
        seg_map_prefix=seg_prefix,
        target=target,
        num_bins=args.num_bins or pl.get('num_bins', 1000),
        num_chunks=args.num_chunks or pl.get('num_chunks', 32),
        seed=args.seed if args.seed is not None else pl.get('seed', 0),
        fingerprint=fingerprint,
        labeled_counts=labeled_counts,
        class_names=classes,
        device=device)
    summary = labeler.run()
    if labeler_rank() == 0:
        kl = summary.get('kl_labeled_pseudo')
        print(f'pseudo-labels: {summary["images"]} images, '
              f'{100 * summary["labeled_ratio"]:.2f}% of pixels labeled'
              + ('' if kl is None else f', KL(labeled||pseudo) = {kl:.5f}')
              + f'; {osp.join(args.out, "summary.json")}')
    return summary


def labeler_rank():
    from mmengine.dist import get_rank
    return get_rank()


def _warn_overlap(labeled, unlabeled):
    """Warn when the labeled and unlabeled split files share images."""
    from mmengine.logging import print_log

    def stems(d):
        path = d['ann_file']
        if not osp.isabs(path) and d.get('data_root'):
            path = osp.join(d['data_root'], path)
        if not osp.isfile(path):
            return set()
        with open(path) as f:
            return {ln.strip() for ln in f if ln.strip()}
    both = stems(labeled) & stems(unlabeled)
    if both:
        print_log(f'{len(both)} image(s) are in both the labeled and the '
                  f'unlabeled split, e.g. {sorted(both)[0]}', logger='current',
                  level=30)


if __name__ == '__main__':
    sys.exit(0 if main() is not None else 1)

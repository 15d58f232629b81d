# Copyright (c) mmssl contributors.
"""Write labeled / unlabeled split lists for semi-supervised training.

Examples::

    # the papers' regimes (needs the full datasets), 4 seeded splits each
    python tools/make_splits.py --dataset cityscapes \
        --data-root data/cityscapes
    python tools/make_splits.py --dataset voc \
        --data-root data/VOCdevkit/VOC2012
    python tools/make_splits.py --dataset ade20k \\
        --data-root data/ade/ADEChallengeData2016
    python tools/make_splits.py --dataset coco --data-root data/coco

    # small / synthetic data: explicit counts or fractions
    python tools/make_splits.py --dataset cityscapes --num-labeled 8 4 \\
        --fractions 1/4 --full
    python tools/make_splits.py --dataset voc --num-labeled 8 --pool aug
    # chosen paper regimes by name (e.g. ClassMix / French et al.'s)
    python tools/make_splits.py --dataset cityscapes --regimes 100 1-8 all

Output: ``<out>/<regime>/split<k>/{labeled,unlabeled}.txt`` (default
``<data-root>/splits``) and ``<out>/<regime>/regime.json``; see
``mmssl/datasets/splits.py`` for regime names and semantics.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmssl.datasets.multitask_splits import \
    write_multitask_splits  # noqa: E402
from mmssl.datasets.splits import (
    PAPER_REGIMES,
    custom_regimes,  # noqa
    write_splits)

DEFAULT_ROOTS = {
    'cityscapes': 'data/cityscapes',
    'voc': 'data/VOCdevkit/VOC2012',
    'ade20k': 'data/ade/ADEChallengeData2016',
    'coco': 'data/coco',
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument(
        '--dataset', required=True, choices=list(DEFAULT_ROOTS))
    p.add_argument(
        '--data-root',
        help='dataset root (default: data/cityscapes, '
        'data/VOCdevkit/VOC2012, data/ade/ADEChallengeData2016 or '
        'data/coco)')
    p.add_argument('--out', help='output folder (default: <data-root>/splits)')
    p.add_argument(
        '--paper',
        action='store_true',
        help="the papers' regimes (default when no --num-labeled "
        'or --fractions is given)')
    p.add_argument(
        '--num-labeled',
        nargs='+',
        type=int,
        default=[],
        metavar='N',
        help='custom regimes with N labeled samples')
    p.add_argument(
        '--fractions',
        nargs='+',
        default=[],
        metavar='F',
        help='custom regimes with a fraction of the labeled pool '
        '(1/8 or 0.125; rounded up)')
    p.add_argument(
        '--pool',
        default='train',
        choices=['train', 'aug'],
        help="labeled pool of custom regimes ('aug': VOC only)")
    p.add_argument(
        '--regimes',
        nargs='+',
        default=[],
        metavar='NAME',
        help='paper regimes by name (see mmssl/datasets/splits.py), e.g. '
        'cityscapes: 1-32 .. 1-2 full 100 all; voc: 92 .. 1464 aug-1-100 '
        '.. aug-1-2 aug-all; ade20k: 1-64 .. 1-2; coco: 1-512 .. 1-32')
    p.add_argument(
        '--full',
        action='store_true',
        help="Cityscapes: also the 'full' regime (all train "
        'labeled, train_extra unlabeled)')
    p.add_argument(
        '--num-splits',
        type=int,
        default=4,
        help='splits per regime; split k uses seed + k')
    p.add_argument(
        '--multitask',
        nargs='*',
        metavar='REGIME',
        help='Cityscapes multi-task regimes instead of single-task ones: '
        'a-<N>, b-<N>, c-<N>, d-<S>-<D>, e-<S>-<D> (S: segmentation, D: '
        'detection size); no name = every regime of tables 1-3')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument(
        '--no-check-labels',
        action='store_true',
        help='do not require a label file for every labeled-pool '
        'image')
    return p.parse_args(argv)


def main_multitask(args, root):
    if args.dataset != 'cityscapes':
        raise SystemExit('--multitask is only defined for cityscapes')
    try:
        result = write_multitask_splits(
            root,
            args.multitask or None,
            args.num_splits,
            args.seed,
            args.out,
            check_labels=not args.no_check_labels)
    except (ValueError, FileNotFoundError) as e:
        raise SystemExit(f'error: {e}')
    for name, rows in result.items():
        r = rows[0]
        print(f'{name}: {args.num_splits} splits, {r["num_seg"]} seg / '
              f'{r["num_det"]} det labeled (split0 overlap {r["overlap"]})'
              f' -> {osp.dirname(osp.dirname(r["seg"]))}')


def main(argv=None):
    args = parse_args(argv)
    if args.multitask is not None:
        return main_multitask(args,
                              args.data_root or DEFAULT_ROOTS[args.dataset])
    root = args.data_root or DEFAULT_ROOTS[args.dataset]
    regimes = custom_regimes(args.dataset, args.num_labeled, args.fractions,
                             args.pool)
    paper = {r.name: r for r in PAPER_REGIMES[args.dataset]}
    unknown = [n for n in args.regimes if n not in paper]
    if unknown:
        raise SystemExit(f'error: --regimes {unknown} are not paper regimes '
                         f'of {args.dataset}; expected some of {list(paper)}')
    regimes += [paper[n] for n in args.regimes]
    if args.paper or not regimes:
        regimes = list(PAPER_REGIMES[args.dataset]) + [
            r for r in regimes if r.name not in paper]
    if args.full:
        if args.dataset != 'cityscapes':
            raise SystemExit('--full is only defined for cityscapes')
        full = [r for r in PAPER_REGIMES['cityscapes'] if r.name == 'full']
        regimes += [r for r in full if r not in regimes]
    try:
        result = write_splits(
            root,
            args.dataset,
            regimes,
            args.num_splits,
            args.seed,
            args.out,
            check_labels=not args.no_check_labels)
    except (ValueError, FileNotFoundError) as e:
        raise SystemExit(f'error: {e}')
    for name, rows in result.items():
        print(f'{name}: {args.num_splits} splits, {rows[0]["num_labeled"]} '
              f'labeled / {rows[0]["num_unlabeled"]} unlabeled -> '
              f'{osp.dirname(osp.dirname(rows[0]["labeled"]))}')


if __name__ == '__main__':
    main()

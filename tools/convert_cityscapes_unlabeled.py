# Copyright (c) mmssl contributors.
"""List Cityscapes' unlabeled image sets (train_extra, sequence) for the
multi-task dataset.

Example::

    python tools/convert_cityscapes_unlabeled.py data/cityscapes \
        [--sets train_extra sequence] [--out-dir data/cityscapes/annotations] \
        [--nproc 8]

writes ``<out-dir>/multitask_images_<set>.json`` (images labeled for no
task; ``sequence`` = ``leftImg8bit_sequence/train`` without the annotated
``train`` frames), the unlabeled sets of the full-Cityscapes configs
(``configs/semi_multitask/*cityscapes-mt-full-extra*.py``). See
``mmssl/datasets/converters/cityscapes_unlabeled.py``.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmssl.datasets.converters.cityscapes_unlabeled import (  # noqa: E402
    UNLABELED_SETS, convert_cityscapes_unlabeled)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('data_root', help='the cityscapes folder')
    p.add_argument('--sets', nargs='+', default=list(UNLABELED_SETS),
                   choices=list(UNLABELED_SETS))
    p.add_argument(
        '--out-dir', help='output folder (default: <data_root>/annotations)')
    p.add_argument('--nproc', type=int, default=1)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        res = convert_cityscapes_unlabeled(
            args.data_root, args.sets, args.out_dir, nproc=args.nproc)
    except (ValueError, FileNotFoundError) as e:
        raise SystemExit(f'error: {e}')
    for name, r in res.items():
        extra = (f' ({r["excluded_train_frames"]} annotated train frames '
                 'excluded)' if name == 'sequence' else '')
        print(f'{name}: {r["num_images"]} images{extra} -> {r["path"]}')


if __name__ == '__main__':
    main()

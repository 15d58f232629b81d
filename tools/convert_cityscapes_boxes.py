# Copyright (c) mmssl contributors.
"""Derive Cityscapes detection boxes (8 thing classes) from the instance maps.

Example::

    python tools/convert_cityscapes_boxes.py data/cityscapes \
        [--splits train val] [--out-dir data/cityscapes/annotations] [--nproc 8]

writes ``<out-dir>/multitask_gtFine_<split>.json`` (COCO format plus the
multi-task fields, read by ``CityscapesMultiTaskDataset`` and by mmdet's
``CocoDataset`` / ``CocoMetric``). Box = tight extent of each instance mask
(x2, y2 exclusive); group regions become ``iscrowd=1`` ignore boxes. See
``mmssl/datasets/converters/cityscapes_boxes.py``.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmssl.datasets.converters.cityscapes_boxes import \
    convert_cityscapes_boxes  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('data_root', help='the cityscapes folder')
    p.add_argument('--splits', nargs='+', default=['train', 'val'])
    p.add_argument(
        '--out-dir', help='output folder (default: <data_root>/annotations)')
    p.add_argument(
        '--no-seg',
        action='store_true',
        help='do not require *_gtFine_labelTrainIds.png per image')
    p.add_argument('--nproc', type=int, default=1)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        res = convert_cityscapes_boxes(
            args.data_root,
            args.splits,
            args.out_dir,
            require_seg=not args.no_seg,
            nproc=args.nproc)
    except (ValueError, FileNotFoundError) as e:
        raise SystemExit(f'error: {e}')
    for split, r in res.items():
        print(f'{split}: {r["num_images"]} images, {r["num_boxes"]} boxes, '
              f'{r["num_crowd"]} crowd regions -> {r["path"]}')


if __name__ == '__main__':
    main()

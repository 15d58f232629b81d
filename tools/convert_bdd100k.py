# Copyright (c) mmssl contributors.
"""Merge BDD100K 100K detection labels and 10K semantic masks.

Example::

    python tools/convert_bdd100k.py data/bdd100k [--out-dir DIR]

reads ``images/{100k,10k}/{train,val}``, ``labels/det_20/det_{train,val}.json``
and ``labels/sem_seg/masks/{train,val}``, and writes ``train.json``,
``val.json``, ``val_det.json``, ``val_seg.json`` and ``summary.json`` to
``--out-dir`` (default ``<data_root>/multitask``), read by
``BDD100KMultiTaskDataset``. The 10K-train images that are 100K-val images
are dropped from training. See ``mmssl/datasets/converters/bdd100k.py``.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmssl.datasets.converters.bdd100k import convert_bdd100k  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('data_root', help='the bdd100k folder')
    p.add_argument(
        '--out-dir', help='output folder (default: <data_root>/multitask)')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        s = convert_bdd100k(args.data_root, args.out_dir)
    except (ValueError, FileNotFoundError) as e:
        raise SystemExit(f'error: {e}')
    for key, c in s['counts'].items():
        print(f'{key}: {c["images"]} images ({c["det_labeled"]} detection, '
              f'{c["seg_labeled"]} segmentation, {c["both"]} both, '
              f'{c["neither"]} neither), {c["boxes"]} boxes -> '
              f'{s["files"][key]}')
    print(f'dropped {len(s["dropped_seg_train_in_det_val"])} 10K-train '
          'images that are 100K-val images')


if __name__ == '__main__':
    main()

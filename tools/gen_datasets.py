# Copyright (c) mmssl contributors.
"""Generate small synthetic Cityscapes / VOC / BDD100K / ADE20K / COCO data.

Example::

    python tools/gen_datasets.py --out data --dataset cityscapes voc --seed 0
    python tools/gen_datasets.py --out data --dataset bdd100k
    python tools/gen_datasets.py --out data --dataset ade20k coco

writes ``data/cityscapes``, ``data/VOCdevkit/VOC2012`` and ``data/bdd100k``
in the real on-disk layouts (see docs/synthetic_data.md). For BDD100K,
``--num-train`` / ``--num-val`` count the 100K (detection) train / val
images and ``--num-extra`` the 10K (segmentation) train images. ADE20K
(``data/ade/ADEChallengeData2016``) and COCO-81 (``data/coco``) have no
extra set; ``--num-extra`` does not apply to them.
Re-running with the same arguments is a no-op (stamp file); ``--force``
regenerates.
"""
import argparse
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmssl.datasets.synthetic.generate import (  # noqa: E402
    DATASET_COUNTS, DEFAULT_SIZE, generate_dataset)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--out', default='data', help='data root (default: data)')
    p.add_argument(
        '--dataset',
        nargs='+',
        default=['cityscapes', 'voc'],
        choices=['cityscapes', 'voc', 'bdd100k', 'ade20k', 'coco'])
    p.add_argument('--seed', type=int, default=0)
    p.add_argument(
        '--num-train',
        type=int,
        help='labeled train images (default 48; BDD100K: 100K train '
        'images, default 24)')
    p.add_argument(
        '--num-val',
        type=int,
        help='val images (default 24; BDD100K: 100K val images, '
        'default 8)')
    p.add_argument(
        '--num-extra',
        type=int,
        help='Cityscapes train_extra (unlabeled) images / VOC '
        'aug-only images (default 96) / BDD100K 10K train images '
        '(default 12); ADE20K and COCO have no extra set')
    p.add_argument(
        '--size',
        nargs=2,
        type=int,
        metavar=('W', 'H'),
        help='image size for every dataset (defaults: cityscapes '
        '256 128, voc 160 120, ade20k 128 96, coco 160 120)')
    p.add_argument(
        '--cityscapes-size',
        nargs=2,
        type=int,
        metavar=('W', 'H'),
        help='Cityscapes image size (overrides --size)')
    p.add_argument(
        '--bdd100k-size',
        nargs=2,
        type=int,
        metavar=('W', 'H'),
        help='BDD100K image size (overrides --size; default 160 90)')
    p.add_argument(
        '--voc-size',
        nargs=2,
        type=int,
        metavar=('W', 'H'),
        help='nominal VOC landscape size (overrides --size)')
    p.add_argument(
        '--ade20k-size',
        nargs=2,
        type=int,
        metavar=('W', 'H'),
        help='ADE20K image size (overrides --size; default 128 96)')
    p.add_argument(
        '--coco-size',
        nargs=2,
        type=int,
        metavar=('W', 'H'),
        help='nominal COCO landscape size (overrides --size; default '
        '160 120)')
    p.add_argument(
        '--ade20k-annotations',
        default='unimatch',
        choices=['unimatch', 'challenge'],
        help="ADE20K labels: UniMatch V2's preprocessed 0..149 + 255 "
        "(default) or the raw ADEChallengeData2016 0 ('other') + 1..150")
    p.add_argument(
        '--num-cities',
        type=int,
        default=3,
        help='Cityscapes cities per split (default 3)')
    p.add_argument(
        '--class-tint',
        type=float,
        default=0.0,
        help='Cityscapes: blend each labeled pixel towards its class '
        'colour by this much (0..1; default 0: none). The CPU benchmark '
        'uses it to make classes learnable on CPU (docs/cpu_benchmark.md)')
    p.add_argument(
        '--class-texture',
        type=float,
        default=0.0,
        help='Cityscapes: add this many grey levels of a per-class pattern '
        'to each labeled pixel (0..127; default 0: none), a class cue the '
        'strong views\' photometric operations keep (docs/cpu_benchmark.md)')
    p.add_argument(
        '--min-thin-px',
        type=float,
        default=0.0,
        help='Cityscapes: draw poles, traffic lights and signs at least '
        'this many pixels across (0..16; default 0: their true size), so '
        'that they carry the class texture (docs/cpu_benchmark.md)')
    p.add_argument(
        '--voc-fixed-size',
        action='store_true',
        help='all VOC (and COCO) images W x H (default: VOC-like mix '
        'of landscape, portrait and wide)')
    p.add_argument(
        '--force',
        action='store_true',
        help='regenerate even if an identical stamp exists')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    for ds in args.dataset:
        size = (getattr(args, f'{ds}_size') or args.size or DEFAULT_SIZE[ds])
        extra = dict(
            cityscapes=dict(num_cities=args.num_cities,
                            class_tint=args.class_tint,
                            class_texture=args.class_texture,
                            min_thin_px=args.min_thin_px),
            voc=dict(vary_size=not args.voc_fixed_size),
            bdd100k=dict(),
            ade20k=dict(annotations=args.ade20k_annotations),
            coco=dict(vary_size=not args.voc_fixed_size))[ds]
        counts = {
            k: v if getattr(args, k) is None else getattr(args, k)
            for k, v in DATASET_COUNTS[ds].items()
        }
        t = time.time()
        res = generate_dataset(
            args.out,
            ds,
            seed=args.seed,
            **counts,
            size=size,
            force=args.force,
            **extra)
        what = 'up to date' if res['skipped'] else \
            f'generated in {time.time() - t:.1f}s'
        print(f'{ds}: {res["root"]} {res["counts"]} {what}')


if __name__ == '__main__':
    main()

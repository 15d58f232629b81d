"""Per-class quality of pseudo-labels written by ``tools/pseudo_label.py``,
against the ground truth the unlabeled images have (generated data, or a
labeled set pseudo-labeled as if it were not).

For each class: precision (of the pixels labeled c, the share that are
c), coverage (of the true c pixels, the share given any pseudo-label),
recall (the share labeled c) and the class that takes most of its pixels.
A teacher that is confident and wrong on a rare class shows here as low
recall at full coverage with a frequent neighbour taking the pixels:
what its students will learn (confirmation bias). Writes
``OUT/quality.json`` (atomic) and ``OUT/quality.png`` and prints a table.

    python tools/analysis_tools/pseudo_label_quality.py OUT \\
        --data-root data/cityscapes [--gt-dir DIR] [--suffix .png]

OUT is a ``tools/pseudo_label.py --out`` folder (its ``summary.json``
names the classes and the label folder, e.g. ``gtFine/train``); the
ground truth is looked up at the same relative path under ``--data-root``
(or directly under ``--gt-dir``).
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
from mmssl.pseudo_labeling.io import atomic_write_json  # noqa: E402
from mmssl.pseudo_labeling.quality import (confusion_of_files,  # noqa: E402
                                           paired_label_files,
                                           quality_table)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('out', help='a tools/pseudo_label.py --out folder')
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument('--data-root',
                   help="the dataset root the ground truth is under")
    g.add_argument('--gt-dir', help='the ground-truth label folder itself')
    p.add_argument('--suffix', default='.png',
                   help='label file ending (default %(default)s)')
    p.add_argument('--ignore-index', type=int, default=255)
    return p.parse_args(argv)


def load_summary(out: str) -> dict:
    path = osp.join(out, 'summary.json')
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path} not found: OUT must be a finished tools/pseudo_label.py '
            '--out folder')
    with open(path) as f:
        summary = json.load(f)
    for key in ('classes', 'fingerprint'):
        if key not in summary:
            raise ValueError(f'{path} has no {key!r}; written by another '
                             'tool?')
    return summary


def fmt(x) -> str:
    return '-' if x is None else f'{100 * x:.1f}'


def markdown(table: dict, title: str) -> str:
    lines = [f'{title}: {table["pixels"]} pixels, '
             f'{fmt(table["labeled_ratio"])} % labeled, '
             f'{fmt(table["accuracy"])} % of them correct', '',
             '| class | precision | coverage | recall | taken by |',
             '|---|---:|---:|---:|---|']
    for c in table['classes']:
        t = c['taken_by']
        taken = f'{t["name"]} ({fmt(t["share"])})' if t else ''
        lines.append(f'| {c["name"]} | {fmt(c["precision"])} | '
                     f'{fmt(c["coverage"])} | {fmt(c["recall"])} | '
                     f'{taken} |')
    return '\n'.join(lines)


def plot(path: str, table: dict, title: str) -> None:
    from mmssl.pseudo_labeling.report import class_bar_plot
    bars = [(key, [100 * (c[key] or 0.0) for c in table['classes']])
            for key in ('precision', 'coverage', 'recall')]
    class_bar_plot(path, [c['name'] for c in table['classes']], bars, '%',
                   title, ylim=(0, 100))


def main(argv=None) -> dict:
    args = parse_args(argv)
    summary = load_summary(args.out)
    prefix = summary['fingerprint'].get('seg_map_prefix', '')
    gt_dir = args.gt_dir or osp.join(args.data_root, prefix)
    pairs = paired_label_files(osp.join(args.out, prefix), gt_dir,
                               args.suffix)
    classes = summary['classes']
    conf = confusion_of_files(pairs, len(classes), args.ignore_index)
    table = quality_table(conf, classes)
    policy = summary.get('policy', {})
    title = ' '.join(f'{k}={v}' for k, v in policy.items())
    result = dict(table, images=len(pairs), policy=policy, gt_dir=gt_dir,
                  confusion=conf.tolist())
    atomic_write_json(osp.join(args.out, 'quality.json'), result)
    plot(osp.join(args.out, 'quality.png'), table, title)
    print(markdown(table, title or args.out))
    print(f'\nwritten: {osp.join(args.out, "quality.json")}, '
          f'{osp.join(args.out, "quality.png")}')
    return result


if __name__ == '__main__':
    main()

"""Which classes a labeled split holds: images and pixels per class.

A supervised model cannot predict a class its labeled images do not show,
and a teacher that never predicts a class gives it no pseudo-label (so no
semi-supervised method, DARS included, can recover it). With few labeled
images a random split easily misses a rare class; this tool says which
before anyone trains. It reads the config's training dataset (for a
semi-supervised config, its ``labeled`` part) with the dataset's own file
list and label settings (``reduce_zero_label``, ``label_map``), counts
per class the images that contain it and its pixels, prints a table,
names the classes with no labeled pixel and writes
``OUT/split_class_stats.json`` (atomic) and ``OUT/split_class_stats.png``
(images per class; with ``--reference``, the same for a second file list,
e.g. the whole train set, beside it).

    python tools/analysis_tools/split_class_stats.py CONFIG --out DIR \\
        [--cfg-options train_dataloader.dataset.ann_file=...] \\
        [--reference ANN_FILE]   # e.g. '' (every train image)
"""
import argparse
import os.path as osp
import sys
from typing import Dict, Optional

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
from mmssl.pseudo_labeling.io import atomic_write_json  # noqa: E402

NAME = 'split_class_stats'


def parse_args(argv=None):
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('--out', required=True, help='folder for the json / png')
    p.add_argument('--reference', default=None,
                   help='ann_file of a second set counted the same way for '
                   "comparison ('' = every image under the data prefix)")
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   default=None)
    return p.parse_args(argv)


def train_dataset_cfg(cfg) -> dict:
    """The config's training dataset; a semi-supervised one's labeled
    part."""
    ds = cfg.train_dataloader.dataset
    if 'labeled' in ds:
        ds = ds.labeled
    return dict(ds.to_dict() if hasattr(ds, 'to_dict') else ds)


def load_label(info: dict) -> np.ndarray:
    """A label map as training sees it: mmseg's ``LoadAnnotations`` on the
    dataset's data info (``reduce_zero_label``, then ``label_map``)."""
    from mmseg.datasets.transforms import LoadAnnotations
    path = info['seg_map_path']
    if not osp.isfile(path):
        raise FileNotFoundError(f'label map {path} of the split not found')
    results = dict(info, seg_fields=[],
                   reduce_zero_label=info.get('reduce_zero_label', False))
    gt = LoadAnnotations(imdecode_backend='pillow')(results)['gt_seg_map']
    if gt.ndim != 2:
        raise ValueError(f'{path}: expected a single-channel label map, '
                         f'got shape {gt.shape}')
    return gt.astype(np.int64)


def count_classes(ds_cfg: dict) -> Dict:
    """Per class: images containing it and its pixels, over the dataset
    ``ds_cfg`` (built with an empty pipeline)."""
    from mmseg.registry import DATASETS
    dataset = DATASETS.build(dict(ds_cfg, pipeline=[]))
    if len(dataset) == 0:
        raise ValueError(f'{ds_cfg.get("ann_file")!r} under '
                         f'{ds_cfg.get("data_root")!r} lists no image')
    classes = list(dataset.metainfo['classes'])
    n = len(classes)
    images, pixels = np.zeros(n, np.int64), np.zeros(n, np.int64)
    for i in range(len(dataset)):
        gt = load_label(dataset.get_data_info(i))
        counts = np.bincount(gt[(gt >= 0) & (gt < n)].ravel(), minlength=n)
        images += counts > 0
        pixels += counts
    return dict(classes=classes, num_images=len(dataset),
                images=images.tolist(), pixels=pixels.tolist(),
                absent=[c for c, k in zip(classes, images) if k == 0])


def markdown(stats: dict, ref: Optional[dict]) -> str:
    total = max(sum(stats['pixels']), 1)
    head = '| class | images | pixels (% of labeled) |'
    rule = '| --- | ---: | ---: |'
    if ref:
        head += ' images in the reference set |'
        rule += ' ---: |'
    lines = [f'{stats["num_images"]} images', '', head, rule]
    for k, name in enumerate(stats['classes']):
        row = (f'| {name} | {stats["images"][k]} | '
               f'{100 * stats["pixels"][k] / total:.3f} |')
        if ref:
            row += f' {ref["images"][k]} of {ref["num_images"]} |'
        lines.append(row)
    lines += ['', 'classes with no labeled pixel: ' +
              (', '.join(stats['absent']) or 'none')]
    return '\n'.join(lines)


def plot(path: str, stats: dict, ref: Optional[dict], title: str) -> None:
    from mmssl.pseudo_labeling.report import class_bar_plot
    bars = [(f'split ({stats["num_images"]} images)', stats['images'])]
    if ref:
        bars.append((f'reference ({ref["num_images"]} images)',
                     ref['images']))
    class_bar_plot(path, stats['classes'], bars,
                   'images containing the class', title)


def main(argv=None) -> dict:
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    import mmssl  # noqa: F401  (registers the datasets)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    ds_cfg = train_dataset_cfg(cfg)
    stats = count_classes(ds_cfg)
    ref = (count_classes(dict(ds_cfg, ann_file=args.reference))
           if args.reference is not None else None)
    title = f'{ds_cfg.get("data_root", "")} {ds_cfg.get("ann_file", "")}'
    result = dict(stats, data_root=ds_cfg.get('data_root'),
                  ann_file=ds_cfg.get('ann_file'), reference=ref)
    atomic_write_json(osp.join(args.out, NAME + '.json'), result)
    plot(osp.join(args.out, NAME + '.png'), stats, ref, title)
    print(markdown(stats, ref))
    print(f'\nwritten: {osp.join(args.out, NAME + ".json")}, '
          f'{osp.join(args.out, NAME + ".png")}')
    return result


if __name__ == '__main__':
    main()

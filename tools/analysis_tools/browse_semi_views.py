"""Look at what a semi-supervised config's training dataloader feeds the
model, before a long run.

For each sample, one image: the weak view and the strong view (top), the
labels of each and the weak view's labels matched into the strong frame
through the recorded homographies, over the strong view (bottom), with the
percentage of pixels where the matched labels agree with the strong view's
own. Multi-task configs: boxes too (green: each view's own; yellow: the weak
view's boxes projected into the strong view). Mixing configs (ClassMix,
CutMix, Cutout): also the mixed image and mixed targets from the model's own
``build_unsup_batch``, with the matched weak ground truth standing in for the
teacher's pseudo-labels (every sample of a batch is mixed; samples without
labels, the unlabeled part, then have empty targets, so a ClassMix mask on
them selects no class); ``--no-mix`` skips it.

    python tools/analysis_tools/browse_semi_views.py CONFIG \\
        --output-dir work_dirs/browse [--num 8] [--show] \\
        [--cfg-options train_dataloader.dataset.labeled.data_root=...]
"""
import argparse
import os.path as osp
import sys

from mmengine.config import Config, DictAction


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='config file (or mmssl::path)')
    parser.add_argument('--output-dir', help='where to write the images')
    parser.add_argument('--num', type=int, default=8,
                        help='number of samples (default 8)')
    parser.add_argument('--show', action='store_true',
                        help='show each image in a window')
    parser.add_argument('--no-mix', action='store_true',
                        help='skip the mixed images of mixing configs')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value')
    args = parser.parse_args(argv)
    if not args.output_dir and not args.show:
        parser.error('give --output-dir and/or --show')
    return args


def main(argv=None):
    args = parse_args(argv)
    import mmssl  # noqa: F401 (components and the mmssl:: config scope)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    from mmengine.registry import init_default_scope
    from mmengine.utils import import_modules_from_strings
    if cfg.get('custom_imports'):
        import_modules_from_strings(**cfg.custom_imports)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    from mmssl.analysis.semi_views import browse
    stats = browse(cfg, args.output_dir, args.num, show=args.show,
                   mix=not args.no_mix)
    done = [s for s in stats if s['agreement'] is not None
            and s['agreement'] == s['agreement']]
    if done:
        px = sum(s['compared'] for s in done)
        agree = sum(s['agreement'] * s['compared'] for s in done) / max(px, 1)
        print(f'[browse] {len(stats)} samples, matched weak labels agree '
              f'with the strong views\' own on {100 * agree:.2f}% of {px} '
              'compared pixels')
    if args.output_dir:
        print(f'[browse] images in {osp.abspath(args.output_dir)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

"""Export the teacher (or student) of an mmssl run as a plain mmseg model.

Usage:
    python tools/export_segmentor.py CONFIG CHECKPOINT OUT.pth [--which student]

Writes OUT.pth (``meta`` + ``state_dict`` of the ``EncoderDecoder``) and
OUT.py, a plain mmseg config (the wrapped segmentor with the config's test
pipeline and evaluator), so ``python tools/test.py OUT.py OUT.pth`` or
mmseg's own test tool evaluate it; any mmseg config of the same architecture
accepts OUT.pth too.
"""
import argparse
import os.path as osp

from mmengine.config import Config


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='the mmssl training config')
    parser.add_argument('checkpoint', help='the mmssl checkpoint')
    parser.add_argument('out', help='output .pth path')
    parser.add_argument(
        '--which', choices=['teacher', 'student'], default='teacher')
    return parser.parse_args(argv)


def plain_segmentor_config(cfg: Config) -> Config:
    """The mmssl config with ``model`` replaced by the wrapped segmentor."""
    seg = cfg.model.get('segmentor')
    if seg is None:
        raise KeyError(f'{cfg.filename}: model has no `segmentor` '
                       '(not a SemiSegmentor config)')
    seg = seg.copy()
    seg['pretrained'] = None  # the exported weights replace any init
    if seg.get('data_preprocessor') is None:
        # the SemiSegmentor holds the preprocessor, wrapped per branch
        pre = cfg.model.get('data_preprocessor', {})
        seg['data_preprocessor'] = pre.get('data_preprocessor', pre)
    out = Config(dict(model=seg))
    for key in ('default_scope', 'custom_imports', 'env_cfg', 'log_level',
                'log_processor', 'vis_backends', 'visualizer',
                'default_hooks', 'test_dataloader', 'test_evaluator',
                'test_cfg', 'val_dataloader', 'val_evaluator', 'val_cfg'):
        if key in cfg:
            out[key] = cfg[key]
    return out


def main(argv=None):
    args = parse_args(argv)
    import mmssl  # noqa: F401
    from mmssl.utils import export_segmentor
    cfg = Config.fromfile(args.config)
    # creates OUT's folder (missing folders too); OUT.py goes beside it
    export_segmentor(args.checkpoint, args.out, which=args.which)
    cfg_out = osp.splitext(args.out)[0] + '.py'
    plain_segmentor_config(cfg).dump(cfg_out)
    print(f'wrote {args.out} and {cfg_out} ({args.which})')


if __name__ == '__main__':
    main()

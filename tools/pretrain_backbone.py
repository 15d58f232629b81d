"""Build the CPU stand-in for the papers' ImageNet-pretrained backbone.

The papers start every model from an ImageNet-pretrained ResNet. No weights
can be downloaded here, so this tool makes one on CPU, reproducibly: it
generates street scenes with generator seeds the benchmark never uses
(``tools/gen_datasets.py --seed 1000``, 320 train + 16 val images), trains
the pretraining config (DeepLabv3+ on ResNetV1c-18 at output stride 16,
Cityscapes' 7 categories instead of its 19 classes: the backbone learns
generic street-scene features, not the benchmark's classes) with the stock
``tools/train.py``, and keeps the backbone only, as an ImageNet checkpoint
is: ``{'state_dict': {<backbone key>: tensor}}``, loaded by a config's
``model.pretrained``.

The result is cached: ``<out>`` and ``<out>.json`` (the stamp: a hash of the
resolved config, the generator version and the data arguments, with the
categories' val mIoU and the training time). With an identical stamp the
tool returns at once; a changed config or generator rebuilds it. An
interrupted training resumes from its last checkpoint (``--resume`` of
``tools/train.py``, checkpoints every 100 steps). Training prints
``[pretrain] step 250/1000, eta 0:05:10``. The checkpoint is written
atomically.

Usage:
    python tools/pretrain_backbone.py [--config CONFIG] [--out PTH]
        [--work-dir DIR] [--force]
"""
import argparse
import hashlib
import json
import os
import os.path as osp
import re
import sys
import time

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from benchmark_common import ROOT, run, run_quiet  # noqa: E402

CONFIG = ('configs/cpu_benchmark/pretrain_deeplabv3plus_r18-d16_1xb8-cpu-'
          '1000i_synthcityscapes-categories.py')
OUT = 'checkpoints/cpu_pretrain/resnet18-d16_synthcityscapes-categories.pth'
WORK_DIR = 'work_dirs/cpu_pretrain'
# Generator seeds and counts of the pretraining data: never a benchmark's.
DATA = dict(out='data/cpu_benchmark/pretrain', seed=1000, num_train=320,
            num_val=16, num_extra=0)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--config', default=CONFIG)
    p.add_argument('--out', default=OUT, help=f'backbone checkpoint '
                   f'(default {OUT})')
    p.add_argument('--work-dir', default=WORK_DIR)
    p.add_argument('--force', action='store_true',
                   help='retrain from scratch even if the stamp matches')
    p.add_argument('--cfg-options', nargs='+', default=[],
                   metavar='KEY=VALUE',
                   help='config overrides (part of the stamp), e.g. '
                   'train_cfg.max_iters=2 for a smoke run')
    return p.parse_args(argv)


def stamp_key(cfg_text: str) -> str:
    """Hash of what determines the backbone: the resolved config, the
    generator version and the pretraining data's arguments."""
    from mmssl.datasets.synthetic.generate import GENERATOR_VERSION
    h = hashlib.sha256()
    h.update(cfg_text.encode())
    h.update(json.dumps(dict(DATA, generator=GENERATOR_VERSION),
                        sort_keys=True).encode())
    return h.hexdigest()


def training_text(cfg) -> str:
    """The resolved config (as sorted JSON: yapf's pretty text takes
    seconds) without the shared fragment's top-level
    ``cpu_*`` variables (configs/_base_/cpu_benchmark.py): the fields built
    from them are part of it already, and variables the pretraining does
    not use (e.g. the stage-2 arms' schedule) must not invalidate the
    cached backbone."""
    return json.dumps({k: v for k, v in cfg.to_dict().items()
                       if not k.startswith('cpu_')}, sort_keys=True,
                      default=repr)


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def extract_backbone(ckpt_path: str, out: str) -> int:
    """Write the ``backbone.`` weights of a training checkpoint as a
    backbone-only checkpoint, atomically; return how many tensors."""
    import torch
    sd = torch.load(ckpt_path, map_location='cpu', weights_only=False)
    sd = sd.get('state_dict', sd)
    bb = {k[len('backbone.'):]: v for k, v in sd.items()
          if k.startswith('backbone.')}
    if not bb:
        raise SystemExit(f'{ckpt_path}: no backbone.* weights')
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    tmp = f'{out}.tmp{os.getpid()}'
    torch.save(dict(state_dict=bb), tmp)
    os.replace(tmp, out)
    return len(bb)


def main(argv=None):
    args = parse_args(argv)
    from mmengine.config import Config
    from mmengine.config import DictAction
    cfg = Config.fromfile(osp.join(ROOT, args.config))
    if args.cfg_options:  # parsed as tools/train.py parses them
        ns = argparse.Namespace()
        DictAction(option_strings=[], dest='opts')(None, ns,
                                                   args.cfg_options)
        cfg.merge_from_dict(ns.opts)
    key = stamp_key(training_text(cfg))
    out = osp.join(ROOT, args.out)
    stamp_path = out + '.json'
    stamp = read_json(stamp_path)
    if (not args.force and osp.isfile(out) and stamp
            and stamp.get('key') == key):
        print(f'[pretrain] up to date: {args.out} (categories val mIoU '
              f'{stamp.get("categories_mIoU")}, built in '
              f'{stamp.get("train_secs", 0):.0f}s)', flush=True)
        return 0
    t0 = time.time()
    run_quiet([[sys.executable, 'tools/gen_datasets.py', '--out',
                DATA['out'], '--dataset', 'cityscapes', '--seed',
                str(DATA['seed']), '--num-train', str(DATA['num_train']),
                '--num-val', str(DATA['num_val']), '--num-extra',
                str(DATA['num_extra'])]], 'pretrain')
    work_dir = args.work_dir
    wd_abs = osp.join(ROOT, work_dir)
    wd_stamp = osp.join(wd_abs, 'pretrain_key.txt')
    iters = cfg.train_cfg.max_iters
    same = (not args.force and osp.isfile(wd_stamp)
            and open(wd_stamp).read().strip() == key)
    if not same and osp.isdir(wd_abs):
        import shutil
        shutil.rmtree(wd_abs)  # another config's (or a forced) training
    os.makedirs(wd_abs, exist_ok=True)
    with open(wd_stamp, 'w') as f:
        f.write(key + '\n')
    ckpt = osp.join(wd_abs, f'iter_{iters}.pth')
    log = wd_abs + '.train.log'
    if not osp.isfile(ckpt):
        resume = osp.isfile(osp.join(wd_abs, 'last_checkpoint'))
        print(f'[pretrain] training {iters} steps of {args.config} '
              f'({"resuming, " if resume else ""}log {work_dir}.train.log)',
              flush=True)
        run([sys.executable, 'tools/train.py', args.config, '--work-dir',
             work_dir, *(['--resume'] if resume else []), '--cfg-options',
             'default_hooks.checkpoint.interval=100',
             'default_hooks.checkpoint.max_keep_ckpts=1', *args.cfg_options],
            log, 'pretrain')
    miou = None
    if osp.isfile(log):
        found = re.findall(r'Iter\(val\).*?mIoU:\s*([\d.]+)', open(log).read())
        miou = float(found[-1]) if found else None
    n = extract_backbone(ckpt, out)
    secs = time.time() - t0
    info = dict(key=key, config=args.config, iters=iters,
                categories_mIoU=miou, tensors=n, train_secs=secs, data=DATA)
    tmp = f'{stamp_path}.tmp{os.getpid()}'
    with open(tmp, 'w') as f:
        json.dump(info, f, indent=1)
    os.replace(tmp, stamp_path)
    print(f'[pretrain] wrote {args.out} ({n} tensors; categories val mIoU '
          f'{miou}; {secs:.0f}s)', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())

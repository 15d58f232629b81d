"""Learning benchmark: supervised baseline vs Dense FixMatch on generated data.

The README's main job (``tools/run_demo.sh``) in longer form, with seeds.
Generates the Cityscapes-format data (tools/gen_datasets.py) and one
labeled/unlabeled split per seed (tools/make_splits.py), then per seed:

1. **warm-up**: the supervised demo config trains ``--warmup-iters`` from
   random init on the labeled images (the CPU stand-in for the papers'
   ImageNet-pretrained backbone; ``--warmup-iters 0`` skips it and both arms
   start from random init);
2. **baseline** and **Dense FixMatch** each start from the warm-up
   checkpoint (``init_cfg=Pretrained``) and train ``--iters`` more with the
   same labeled batches, learning rate and schedule; only Dense FixMatch
   also sees the unlabeled images.

Every run goes through the stock ``tools/train.py`` and ``tools/test.py``
(Dense FixMatch is evaluated with its EMA teacher). Finished runs are reused
(``--force`` retrains). Prints mIoU / aAcc per seed, mean and std, and the
training wall time.

Usage:
    python tools/benchmark_learning.py --warmup-iters 1000 --iters 500 \
        --seeds 0 1 [--num-labeled 8] [--work-dir work_dirs/benchmark_learning]
"""
import argparse
import math
import os
import os.path as osp
import re
import statistics
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
WARMUP = 'configs/demo/deeplabv3plus_r18-d8_1xb4-cpu-300i_synthcityscapes-8.py'
CONFIGS = dict(
    baseline='configs/demo/deeplabv3plus_r18-d8_1xb4-cpu-sup300i-100i_'
    'synthcityscapes-8.py',
    dense_fixmatch='configs/demo/dense-fixmatch_deeplabv3plus_r18-d8_1xb8-'
    'explicit-same-cpu-sup300i-100i_synthcityscapes-8.py')
# where each stage-2 config keeps its warm-up checkpoint
INIT_KEY = dict(
    baseline='model.init_cfg.checkpoint',
    dense_fixmatch='model.segmentor.init_cfg.checkpoint')
DATA_ROOT = 'data/synthetic'


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--warmup-iters', type=int, default=1000)
    p.add_argument('--iters', type=int, default=500)
    p.add_argument('--seeds', type=int, nargs='+', default=[0])
    p.add_argument('--num-labeled', type=int, default=8)
    p.add_argument('--work-dir', default='work_dirs/benchmark_learning')
    p.add_argument('--methods', nargs='+', default=list(CONFIGS),
                   choices=list(CONFIGS))
    p.add_argument('--force', action='store_true',
                   help='retrain runs whose checkpoint exists')
    p.add_argument('--cfg-options', nargs='*', default=[],
                   help='extra overrides for the stage-2 runs')
    return p.parse_args()


def run(cmd, log):
    with open(log, 'w') as f:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT)
    if proc.returncode:
        sys.exit(f'failed ({proc.returncode}): {" ".join(cmd)}; see {log}')
    return open(log).read()


def schedule_opts(iters):
    return [
        f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
        f'default_hooks.checkpoint.interval={iters}',
        f'param_scheduler.0.end={iters}'
    ]


def split_opts(semi, split):
    if not semi:
        return [f'train_dataloader.dataset.ann_file={split}/labeled.txt']
    return [
        f'train_dataloader.dataset.labeled.ann_file={split}/labeled.txt',
        f'train_dataloader.dataset.unlabeled.ann_file={split}/unlabeled.txt'
    ]


def fmt_secs(secs):
    """Training wall time, or 'reused' for a run found on disk."""
    return 'reused' if math.isnan(secs) else f'{secs:.0f}s'


def train_and_test(cfg, work_dir, iters, opts, force):
    """Train (unless the checkpoint exists) and test; (mIoU, aAcc, secs)."""
    ckpt = osp.join(work_dir, f'iter_{iters}.pth')
    secs = float('nan')
    if force or not osp.isfile(osp.join(ROOT, ckpt)):
        t0 = time.time()
        run([sys.executable, 'tools/train.py', cfg, '--work-dir', work_dir,
             '--cfg-options', *opts], osp.join(ROOT, work_dir + '.train.log'))
        secs = time.time() - t0
    out = run([sys.executable, 'tools/test.py', cfg, ckpt, '--work-dir',
               osp.join(work_dir, 'test')],
              osp.join(ROOT, work_dir + '.test.log'))
    line = re.findall(r'Iter\(test\).*', out)[-1]
    miou = float(re.search(r'mIoU: ([0-9.]+)', line).group(1))
    aacc = float(re.search(r'aAcc: ([0-9.]+)', line).group(1))
    return miou, aacc, secs, ckpt


def main():
    args = parse_args()
    py = sys.executable
    os.makedirs(osp.join(ROOT, args.work_dir), exist_ok=True)
    # the demo configs' data_root
    subprocess.run([py, 'tools/gen_datasets.py', '--out', DATA_ROOT,
                    '--dataset', 'cityscapes', '--seed', '0'], cwd=ROOT,
                   check=True)
    cs_root = osp.join(DATA_ROOT, 'cityscapes')
    subprocess.run([py, 'tools/make_splits.py', '--dataset', 'cityscapes',
                    '--data-root', cs_root, '--num-labeled',
                    str(args.num_labeled), '--num-splits',
                    str(max(args.seeds) + 1)], cwd=ROOT, check=True)
    rows = {m: [] for m in ['warmup'] + args.methods}
    for seed in args.seeds:
        split = f'splits/{args.num_labeled}/split{seed}'
        seed_opts = [f'randomness.seed={seed}']
        warm_ckpt = None
        if args.warmup_iters:
            wd = osp.join(args.work_dir,
                          f'warmup{args.warmup_iters}_seed{seed}')
            opts = (schedule_opts(args.warmup_iters) + seed_opts +
                    split_opts(False, split))
            miou, aacc, secs, warm_ckpt = train_and_test(
                WARMUP, wd, args.warmup_iters, opts, args.force)
            rows['warmup'].append((miou, aacc, secs))
            print(f'seed {seed} {"warmup":15s} mIoU {miou:6.2f} aAcc '
                  f'{aacc:6.2f} train {fmt_secs(secs)}', flush=True)
        for method in args.methods:
            wd = osp.join(args.work_dir,
                          f'{method}_w{args.warmup_iters}_'
                          f'{args.iters}_seed{seed}')
            opts = (schedule_opts(args.iters) + seed_opts +
                    split_opts(method != 'baseline', split))
            if warm_ckpt:
                opts.append(f'{INIT_KEY[method]}={warm_ckpt}')
            else:  # from random init
                opts.append(f'{INIT_KEY[method].rsplit(".", 1)[0]}=None')
            opts += args.cfg_options
            miou, aacc, secs, _ = train_and_test(CONFIGS[method], wd,
                                                 args.iters, opts, args.force)
            rows[method].append((miou, aacc, secs))
            print(f'seed {seed} {method:15s} mIoU {miou:6.2f} aAcc '
                  f'{aacc:6.2f} train {fmt_secs(secs)}', flush=True)

    print(f'\n{args.num_labeled} labeled images, warm-up '
          f'{args.warmup_iters} + {args.iters} iterations, seeds '
          f'{args.seeds} (split k uses seed k)')
    print(f'{"run":16s} {"mIoU mean":>10s} {"std":>6s} {"aAcc mean":>10s} '
          f'{"train s":>8s}  mIoU per seed')
    for name, r in rows.items():
        if not r:
            continue
        mious = [x[0] for x in r]
        std = statistics.stdev(mious) if len(mious) > 1 else 0.0
        timed = [x[2] for x in r if not math.isnan(x[2])]
        secs = fmt_secs(statistics.mean(timed)) if timed else 'reused'
        print(f'{name:16s} {statistics.mean(mious):10.2f} {std:6.2f} '
              f'{statistics.mean(x[1] for x in r):10.2f} {secs:>8s}  '
              f'{mious}')


if __name__ == '__main__':
    main()

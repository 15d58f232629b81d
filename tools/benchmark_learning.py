"""Learning benchmark: supervised baseline vs Dense FixMatch on generated data.

The README's main job in longer form. Generates the Cityscapes-format data
(tools/gen_datasets.py), writes a labeled/unlabeled split
(tools/make_splits.py), trains the two CPU demo configs with the stock
tools/train.py for ``--iters`` iterations and each ``--seeds``, evaluates
with tools/test.py (baseline: the model; Dense FixMatch: the EMA teacher)
and prints the mIoU table with the wall time.

Usage:
    python tools/benchmark_learning.py --iters 1000 --seeds 0 1 \
        --num-labeled 8 [--work-dir work_dirs/benchmark_learning]
"""
import argparse
import os
import os.path as osp
import re
import statistics
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = dict(
    baseline='configs/demo/deeplabv3plus_r18-d8_1xb4-cpu-300i_'
    'synthcityscapes-8.py',
    dense_fixmatch='configs/demo/dense-fixmatch_deeplabv3plus_r18-d8_1xb8-'
    'explicit-cpu-300i_synthcityscapes-8.py')


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--iters', type=int, default=1000)
    p.add_argument('--seeds', type=int, nargs='+', default=[0])
    p.add_argument('--num-labeled', type=int, default=8)
    p.add_argument('--data-root', default='data/synthetic')
    p.add_argument('--work-dir', default='work_dirs/benchmark_learning')
    p.add_argument('--methods', nargs='+', default=list(CONFIGS),
                   choices=list(CONFIGS))
    p.add_argument('--cfg-options', nargs='*', default=[],
                   help='extra overrides for every run')
    return p.parse_args()


def run(cmd, log):
    with open(log, 'w') as f:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT)
    if proc.returncode:
        sys.exit(f'failed ({proc.returncode}): {" ".join(cmd)}; see {log}')
    return open(log).read()


def main():
    args = parse_args()
    py = sys.executable
    os.makedirs(osp.join(ROOT, args.work_dir), exist_ok=True)
    subprocess.run([py, 'tools/gen_datasets.py', '--out', args.data_root,
                    '--dataset', 'cityscapes', '--seed', '0'], cwd=ROOT,
                   check=True)
    cs_root = osp.join(args.data_root, 'cityscapes')
    subprocess.run([py, 'tools/make_splits.py', '--dataset', 'cityscapes',
                    '--data-root', cs_root, '--num-labeled',
                    str(args.num_labeled), '--num-splits',
                    str(max(args.seeds) + 1)], cwd=ROOT, check=True)
    results = {m: [] for m in args.methods}
    times = {m: [] for m in args.methods}
    for seed in args.seeds:
        split = f'splits/{args.num_labeled}/split{seed}'
        for method in args.methods:
            cfg = CONFIGS[method]
            wd = osp.join(args.work_dir, f'{method}_seed{seed}')
            opts = [
                f'train_cfg.max_iters={args.iters}',
                f'train_cfg.val_interval={args.iters}',
                f'default_hooks.checkpoint.interval={args.iters}',
                f'param_scheduler.0.end={args.iters}',
                f'randomness.seed={seed}',
            ]
            if method == 'baseline':
                opts.append(
                    f'train_dataloader.dataset.ann_file={split}/labeled.txt')
            else:
                opts += [
                    'train_dataloader.dataset.labeled.ann_file='
                    f'{split}/labeled.txt',
                    'train_dataloader.dataset.unlabeled.ann_file='
                    f'{split}/unlabeled.txt',
                ]
            opts += args.cfg_options
            t0 = time.time()
            run([py, 'tools/train.py', cfg, '--work-dir', wd,
                 '--cfg-options', *opts], osp.join(ROOT, wd + '.train.log'))
            times[method].append(time.time() - t0)
            out = run([py, 'tools/test.py', cfg,
                       osp.join(wd, f'iter_{args.iters}.pth'), '--work-dir',
                       osp.join(wd, 'test')], osp.join(ROOT,
                                                       wd + '.test.log'))
            miou = float(re.findall(r'Iter\(test\).*?mIoU: ([0-9.]+)',
                                    out)[-1])
            results[method].append(miou)
            print(f'seed {seed} {method:15s} mIoU {miou:6.2f}  '
                  f'train {times[method][-1]:.0f}s', flush=True)
    print(f'\n{args.num_labeled} labeled images, {args.iters} iterations, '
          f'seeds {args.seeds} (split k uses seed k)')
    print(f'{"method":16s} {"mIoU mean":>10s} {"std":>6s} {"train s":>8s}  '
          'per seed')
    for m in args.methods:
        r = results[m]
        std = statistics.stdev(r) if len(r) > 1 else 0.0
        print(f'{m:16s} {statistics.mean(r):10.2f} {std:6.2f} '
              f'{statistics.mean(times[m]):8.0f}  {r}')


if __name__ == '__main__':
    main()

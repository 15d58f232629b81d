"""Learning benchmark: supervised baseline vs the semi-supervised methods
(Dense FixMatch, ClassMix, CutMix and Cutout mean teacher, Dense FixMatch
with online DARS) on generated data.

The README's main job (``tools/run_demo.sh``) in longer form, with seeds.
Per data seed ``d`` (``--data-seeds``) it generates a Cityscapes-format data
set with ``tools/gen_datasets.py --seed d`` (``data/synthetic`` for d = 0,
the demo configs' data, else ``data/synthetic_data<d>``) and the
labeled/unlabeled splits with ``tools/make_splits.py`` (split k for training
seed k), then per training seed (``--seeds``):

1. **warm-up**: the supervised demo config trains ``--warmup-iters`` from
   random init on the labeled images (the CPU stand-in for the papers'
   ImageNet-pretrained backbone; ``--warmup-iters 0`` skips it and both arms
   start from random init);
2. **baseline** and each method (``--methods``) start from the warm-up
   checkpoint (``init_cfg=Pretrained``) and train ``--iters`` more with the
   same labeled batches, learning rate and schedule; only the
   semi-supervised methods also see the unlabeled images.

Every run goes through the stock ``tools/train.py`` and ``tools/test.py``
(the semi-supervised methods are evaluated with their EMA teacher); while one trains, its
logger lines are echoed as ``[bench] <run>: step 25/300, eta 0:03:10``.
Finished runs are reused, with their test when its log is newer than
the checkpoint (``--force`` retrains; a stage-2 run older than its
warm-up checkpoint is retrained). Prints mIoU / aAcc per run, mean and std,
per-class IoU of each method against the baseline (per data seed and
training seed, and averaged), the classes that move by more than 5 points,
and the training and total wall time; writes everything to
``<work-dir>/results.json``. ``--compare-to M`` adds the same per-class
report of the other semi-supervised methods against method M (e.g.
``dense_fixmatch_dars`` against ``dense_fixmatch``; ``per_class_vs`` in the
JSON).

Usage:
    python tools/benchmark_learning.py --warmup-iters 1000 --iters 500 \
        --seeds 0 1 [--data-seeds 0 1] [--num-labeled 8] \
        [--methods baseline dense_fixmatch] [--log-interval 25] \
        [--work-dir work_dirs/benchmark_learning] [--force] \
        [--compare-to dense_fixmatch] [--cfg-options KEY=VALUE ...]
    # smoke run: a few iterations, progress every step
    python tools/benchmark_learning.py --warmup-iters 4 --iters 2 --seeds 0 \
        --data-seeds 0 1 --log-interval 1 --work-dir /tmp/bench_smoke

To add a method, add one line to CONFIGS (its stage-2 config) and one to
INIT_KEY (where that config keeps the warm-up checkpoint); whether it is
semi-supervised (labeled + unlabeled datasets) is read from the config,
and so is whether its online pseudo-label filter counts its target
distribution from a labeled dataset config (``FILTER_TARGET_KEY``): that
dataset then gets the run's data root and labeled split too.
"""
import argparse
import json
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
    'explicit-same-cpu-sup300i-100i_synthcityscapes-8.py',
    classmix='configs/demo/classmix_deeplabv3plus_r18-d8_1xb8-explicit-cpu-'
    'sup300i-100i_synthcityscapes-8.py',
    cutmix='configs/demo/cutmix-mt_deeplabv3plus_r18-d8_1xb8-explicit-cpu-'
    'sup300i-100i_synthcityscapes-8.py',
    cutout='configs/demo/cutout-mt_deeplabv3plus_r18-d8_1xb8-explicit-cpu-'
    'sup300i-100i_synthcityscapes-8.py',
    dense_fixmatch_dars='configs/demo/dense-fixmatch-dars_deeplabv3plus_r18-'
    'd8_1xb8-explicit-same-cpu-sup300i-100i_synthcityscapes-8.py')
# where each stage-2 config keeps its warm-up checkpoint
INIT_KEY = dict(
    baseline='model.init_cfg.checkpoint',
    dense_fixmatch='model.segmentor.init_cfg.checkpoint',
    classmix='model.segmentor.init_cfg.checkpoint',
    cutmix='model.segmentor.init_cfg.checkpoint',
    cutout='model.segmentor.init_cfg.checkpoint',
    dense_fixmatch_dars='model.segmentor.init_cfg.checkpoint')
# where a config keeps a labeled dataset config as the online pseudo-label
# filter's target distribution (OnlineDistributionAlignment): it gets the
# same data root and labeled split as the training data
FILTER_TARGET_KEY = 'model.semi_train_cfg.pseudo_label_filter.target'
BASELINE = 'baseline'  # the method the others are compared with per class
DATA_ROOT = 'data/synthetic'  # data seed 0 (the demo configs' data)
BIG_CHANGE = 5.0  # IoU points: per-class changes reported by name


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--warmup-iters', type=int, default=1000)
    p.add_argument('--iters', type=int, default=500)
    p.add_argument('--seeds', type=int, nargs='+', default=[0],
                   help='training seeds; seed k trains on split k')
    p.add_argument('--data-seeds', type=int, nargs='+', default=[0],
                   help='tools/gen_datasets.py seeds, i.e. different data '
                   'sets (0: data/synthetic, k: data/synthetic_data<k>)')
    p.add_argument('--num-labeled', type=int, default=8)
    p.add_argument('--work-dir', default='work_dirs/benchmark_learning')
    p.add_argument('--methods', nargs='+', default=list(CONFIGS),
                   choices=list(CONFIGS))
    p.add_argument('--force', action='store_true',
                   help='retrain runs whose checkpoint exists')
    p.add_argument('--log-interval', type=int,
                   help='logger interval of every run (progress lines); '
                   'default: the configs\' (25)')
    p.add_argument('--compare-to', nargs='+', default=[], metavar='METHOD',
                   help='also print (and store under per_class_vs) the '
                   'per-class IoU of the other semi-supervised methods '
                   'against these, e.g. dense_fixmatch_dars against '
                   'dense_fixmatch')
    p.add_argument('--cfg-options', nargs='*', default=[],
                   help='extra overrides for the stage-2 runs (not part of '
                   'the work dir names: use --force or another --work-dir)')
    return p.parse_args(argv)


# ---------------------------------------------------------------- parsing
PROGRESS_RE = re.compile(
    r'Iter\(train\)\s*\[\s*(\d+)\s*/\s*(\d+)\s*\].*?'
    r'eta:\s*((?:\d+ days?, )?\d+:\d\d:\d\d)')


def parse_progress(line):
    """(step, total, eta) of an mmengine ``Iter(train)`` log line, or None."""
    m = PROGRESS_RE.search(line)
    return (int(m.group(1)), int(m.group(2)), m.group(3)) if m else None


def _num(text):
    try:
        return float(text)
    except ValueError:
        return float('nan')


def parse_class_table(text):
    """The last ``| Class | IoU | Acc |`` table of a log (mmseg IoUMetric).

    Returns ``{class: {'IoU': x, 'Acc': y}}`` in table order (nan where the
    metric printed nan), or {} when the log has no table.
    """
    lines = text.splitlines()
    heads = [i for i, ln in enumerate(lines)
             if re.match(r'^\s*\|\s*Class\s*\|', ln)]
    if not heads:
        return {}
    cols = [c.strip() for c in lines[heads[-1]].strip().strip('|').split('|')]
    table = {}
    for ln in lines[heads[-1] + 1:]:
        ln = ln.strip()
        if ln.startswith('+'):
            if table:
                break  # closing border
            continue  # border under the header
        if not ln.startswith('|'):
            break
        cells = [c.strip() for c in ln.strip('|').split('|')]
        if len(cells) != len(cols):
            break
        row = dict(zip(cols, cells))
        table[row['Class']] = {k: _num(v) for k, v in row.items()
                               if k != 'Class'}
    return table


def parse_test_metrics(text):
    """(mIoU, aAcc) of the last ``Iter(test)`` line of a test log."""
    line = re.findall(r'Iter\(test\).*', text)[-1]
    miou = float(re.search(r'mIoU: ([0-9.]+)', line).group(1))
    aacc = float(re.search(r'aAcc: ([0-9.]+)', line).group(1))
    return miou, aacc


# ------------------------------------------------------------- statistics
def nanmean(values):
    vals = [v for v in values if v is not None and not math.isnan(v)]
    return statistics.mean(vals) if vals else float('nan')


def class_changes(base, method):
    """{class: method IoU - baseline IoU} (nan where either is nan)."""
    return {c: method.get(c, float('nan')) - base[c] for c in base}


def big_changes(changes, threshold=BIG_CHANGE):
    """Classes whose change is above threshold in size, largest first."""
    big = [(c, d) for c, d in changes.items()
           if not math.isnan(d) and abs(d) > threshold]
    return sorted(big, key=lambda cd: -abs(cd[1]))


def worst_change(changes):
    """(class, change) of the lowest change, or None if all are nan."""
    finite = [(c, d) for c, d in changes.items() if not math.isnan(d)]
    return min(finite, key=lambda cd: cd[1]) if finite else None


def jsonable(obj):
    """NaN -> None (JSON has no NaN), recursively."""
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    return obj


def write_json_atomic(path, obj):
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'w') as f:
        json.dump(jsonable(obj), f, indent=1)
        f.write('\n')
    os.replace(tmp, path)


# ------------------------------------------------------------------ runs
def fmt_secs(secs):
    """Training wall time, or 'reused' for a run found on disk."""
    return 'reused' if secs is None or math.isnan(secs) else f'{secs:.0f}s'


def fmt_wall(secs):
    m, s = divmod(int(round(secs)), 60)
    h, m = divmod(m, 60)
    return f'{h}:{m:02d}:{s:02d}'


class RunFailed(Exception):
    pass


def run(cmd, log, label=None):
    """Run cmd in ROOT with its output in log; echo training progress."""
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    with open(log, 'w') as f:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True,
                                errors='replace', env=env)
        for line in proc.stdout:
            f.write(line)
            f.flush()
            prog = parse_progress(line) if label else None
            if prog:
                print(f'[bench] {label}: step {prog[0]}/{prog[1]}, '
                      f'eta {prog[2]}', flush=True)
        rc = proc.wait()
    if rc:
        with open(log) as f:
            tail = ''.join(f.readlines()[-15:])
        raise RunFailed(f'failed ({rc}): {" ".join(cmd)}\n'
                        f'--- last lines of {log} ---\n{tail}')
    with open(log) as f:
        return f.read()


def schedule_opts(iters):
    return [
        f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
        f'default_hooks.checkpoint.interval={iters}',
        f'param_scheduler.0.end={iters}'
    ]


def split_opts(semi, split, target=False):
    """ann_file overrides; ``target``: also the pseudo-label filter's
    labeled dataset (:func:`has_filter_target`)."""
    extra = ([f'{FILTER_TARGET_KEY}.ann_file={split}/labeled.txt']
             if target else [])
    if not semi:
        return [f'train_dataloader.dataset.ann_file={split}/labeled.txt'
                ] + extra
    return [
        f'train_dataloader.dataset.labeled.ann_file={split}/labeled.txt',
        f'train_dataloader.dataset.unlabeled.ann_file={split}/unlabeled.txt'
    ] + extra


def eval_root_opts(data_root):
    return [f'val_dataloader.dataset.data_root={data_root}',
            f'test_dataloader.dataset.data_root={data_root}']


def train_root_opts(semi, data_root, target=False):
    """data_root overrides; ``target`` as in :func:`split_opts`."""
    if not semi:
        train = [f'train_dataloader.dataset.data_root={data_root}']
    else:
        train = [
            f'train_dataloader.dataset.labeled.data_root={data_root}',
            f'train_dataloader.dataset.unlabeled.data_root={data_root}'
        ]
    if target:
        train.append(f'{FILTER_TARGET_KEY}.data_root={data_root}')
    return train + eval_root_opts(data_root)


def is_semi(cfg_path):
    """Whether a config trains on labeled + unlabeled datasets."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(ROOT, cfg_path),
                          import_custom_modules=False)
    return 'labeled' in cfg.train_dataloader.dataset


def has_filter_target(cfg_path):
    """Whether a config's pseudo-label filter counts its target distribution
    from a labeled dataset config (``FILTER_TARGET_KEY``), which must then
    follow the benchmark's data root and split."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(ROOT, cfg_path),
                          import_custom_modules=False)
    filt = (cfg.model.get('semi_train_cfg') or {}).get('pseudo_label_filter')
    return isinstance((filt or {}).get('target'), dict)


def data_root_for(data_seed):
    root = DATA_ROOT if data_seed == 0 else f'{DATA_ROOT}_data{data_seed}'
    return root, osp.join(root, 'cityscapes') + '/'


def seg_test_record(text):
    """mIoU, aAcc and the per-class IoU / Acc of a ``tools/test.py`` log."""
    miou, aacc = parse_test_metrics(text)
    table = parse_class_table(text)
    return dict(
        mIoU=miou, aAcc=aacc,
        per_class_iou={c: r.get('IoU', float('nan'))
                       for c, r in table.items()},
        per_class_acc={c: r.get('Acc', float('nan'))
                       for c, r in table.items()})


def train_and_test(label, cfg, work_dir, iters, opts, test_opts, force,
                   older_than=None, parse=seg_test_record):
    """Train (unless a fresh checkpoint exists) and test one run.

    ``parse`` turns the test log into the metrics dict
    (:func:`seg_test_record` by default; the multi-task benchmark passes
    its own). Returns those metrics plus train seconds (of this call, or
    of the stored run when reused), test seconds (nan when a finished
    test was reused), reused, checkpoint.
    """
    ckpt = osp.join(work_dir, f'iter_{iters}.pth')
    ckpt_abs = osp.join(ROOT, ckpt)
    secs_file = osp.join(ROOT, work_dir, 'bench_train_secs.txt')
    stale = (older_than is not None and osp.isfile(ckpt_abs)
             and osp.getmtime(ckpt_abs) < osp.getmtime(older_than))
    reused = not (force or stale or not osp.isfile(ckpt_abs))
    if not reused:
        print(f'[bench] {label}: training {iters} iterations '
              f'(log {work_dir}.train.log)', flush=True)
        os.makedirs(osp.join(ROOT, work_dir), exist_ok=True)
        t0 = time.time()
        run([sys.executable, 'tools/train.py', cfg, '--work-dir', work_dir,
             '--cfg-options', *opts], osp.join(ROOT, work_dir + '.train.log'),
            label)
        secs = time.time() - t0
        with open(secs_file, 'w') as f:
            f.write(f'{secs:.1f}\n')
    else:
        print(f'[bench] {label}: reusing {ckpt}', flush=True)
        try:
            with open(secs_file) as f:
                secs = float(f.read())
        except (OSError, ValueError):
            secs = float('nan')
    test_log = osp.join(ROOT, work_dir + '.test.log')
    rec = None
    if reused and osp.isfile(test_log) and (osp.getmtime(test_log) >
                                            osp.getmtime(ckpt_abs)):
        with open(test_log) as f:  # the test of this very checkpoint
            try:
                rec = parse(f.read())
                print(f'[bench] {label}: reusing its test ({test_log})',
                      flush=True)
            except (IndexError, AttributeError, ValueError):
                rec = None
    test_secs = float('nan')
    if rec is None:
        print(f'[bench] {label}: testing', flush=True)
        t0 = time.time()
        rec = parse(
            run([sys.executable, 'tools/test.py', cfg, ckpt, '--work-dir',
                 osp.join(work_dir, 'test'), '--cfg-options', *test_opts],
                test_log))
        test_secs = time.time() - t0
    rec.update(train_secs=secs, test_secs=test_secs, reused=reused,
               checkpoint=ckpt)
    return rec


def prepare_data(py, data_seed, num_labeled, num_splits):
    root, cs_root = data_root_for(data_seed)
    for cmd in ([py, 'tools/gen_datasets.py', '--out', root, '--dataset',
                 'cityscapes', '--seed', str(data_seed)],
                [py, 'tools/make_splits.py', '--dataset', 'cityscapes',
                 '--data-root', cs_root, '--num-labeled', str(num_labeled),
                 '--num-splits', str(num_splits)]):
        out = subprocess.run(cmd, cwd=ROOT, check=True, text=True,
                             stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT).stdout
        for line in out.strip().splitlines():
            print(f'[bench] data {data_seed}: {line}', flush=True)
    return cs_root


# ---------------------------------------------------------------- report
def per_class_report(results, methods, pairs, reference=BASELINE):
    """Print and return per-class IoU of each method vs ``reference`` (the
    baseline; with another reference, every method but it and the
    baseline)."""
    others = [m for m in methods if m != reference and
              (reference == BASELINE or m != BASELINE)]
    if reference not in methods or not others:
        return {}
    # per_pair / mean: 'baseline' holds the reference's IoU
    report = {m: dict(reference=reference, per_pair=[]) for m in others}
    blocks = []  # (title, base, {m: iou}) per pair, then the mean
    for d, s in pairs:
        base = results.get((d, s, reference))
        if not base or not base.get('per_class_iou'):
            continue
        ious = {m: results[(d, s, m)]['per_class_iou'] for m in others
                if results.get((d, s, m), {}).get('per_class_iou')}
        if not ious:
            continue
        blocks.append((f'data seed {d}, seed {s}', base['per_class_iou'],
                       ious, {m: class_changes(base['per_class_iou'], iou)
                              for m, iou in ious.items()}))
        for m, iou in ious.items():
            report[m]['per_pair'].append(dict(
                data_seed=d, seed=s, baseline=base['per_class_iou'],
                method=iou, change=class_changes(base['per_class_iou'],
                                                 iou)))
    if not blocks:
        return {}
    if len(blocks) > 1:
        classes = list(blocks[0][1])
        base_mean = {c: nanmean([b[1].get(c) for b in blocks])
                     for c in classes}
        mean_ious, mean_chg = {}, {}
        for m in others:
            rows = report[m]['per_pair']
            mean_ious[m] = {c: nanmean([r['method'].get(c) for r in rows])
                            for c in classes}
            # mean of the per-run changes (runs where both IoUs exist)
            mean_chg[m] = {c: nanmean([r['change'].get(c) for r in rows])
                           for c in classes}
        blocks.append((f'mean over {len(blocks)} (data seed, seed) runs',
                       base_mean, mean_ious, mean_chg))
    for title, base, ious, chg in blocks:
        print(f'\nper-class IoU, {title} (change = method - {reference}):')
        width = max(9, len(reference))
        head = f'{"class":15s} {reference:>{width}s}'
        for m in ious:
            head += f' {m[:16]:>16s} {"change":>7s}'
        print(head)
        for c in base:
            row = f'{c[:15]:15s} {base[c]:{width}.2f}'
            for m, iou in ious.items():
                row += (f' {iou.get(c, float("nan")):16.2f}'
                        f' {chg[m].get(c, float("nan")):+7.2f}')
            print(row)
        for m in ious:
            big = big_changes(chg[m])
            worst = worst_change(chg[m])
            print(f'  {m}: classes changing by more than {BIG_CHANGE:g} '
                  'points: ' + (', '.join(f'{c} {v:+.2f}' for c, v in big)
                                if big else 'none'))
            print(f'  {m}: worst class change: ' +
                  (f'{worst[0]} {worst[1]:+.2f}' if worst else 'n/a'))
    if len(blocks) > 1:
        _, base, ious, chg = blocks[-1]
        for m, iou in ious.items():
            report[m]['mean'] = dict(baseline=base, method=iou,
                                     change=chg[m])
    for m in report:
        src = report[m].get('mean') or (report[m]['per_pair'] or [{}])[0]
        chg = src.get('change', {})
        report[m]['big_changes'] = dict(big_changes(chg))
        report[m]['worst_change'] = worst_change(chg)
    return report


def summary_table(args, results, pairs, names):
    summary = {}
    print(f'\n{args.num_labeled} labeled images, warm-up '
          f'{args.warmup_iters} + {args.iters} iterations, data seeds '
          f'{args.data_seeds}, seeds {args.seeds} (split k uses seed k)')
    print(f'{"run":16s} {"mIoU mean":>10s} {"std":>6s} {"aAcc mean":>10s} '
          f'{"train s":>8s}  mIoU per (data seed, seed)')
    for name in names:
        r = [(p, results[p + (name,)]) for p in pairs
             if results.get(p + (name,), {}).get('mIoU') is not None]
        if not r:
            continue
        mious = [x['mIoU'] for _, x in r]
        std = statistics.stdev(mious) if len(mious) > 1 else 0.0
        timed = [x['train_secs'] for _, x in r
                 if not x['reused'] and not math.isnan(x['train_secs'])]
        stored = [x['train_secs'] for _, x in r
                  if not math.isnan(x['train_secs'])]
        secs = fmt_secs(statistics.mean(timed)) if timed else 'reused'
        per = ' '.join(f'd{d}s{s}:{x["mIoU"]:.2f}' for (d, s), x in r)
        print(f'{name:16s} {statistics.mean(mious):10.2f} {std:6.2f} '
              f'{statistics.mean(x["aAcc"] for _, x in r):10.2f} '
              f'{secs:>8s}  {per}')
        summary[name] = dict(
            mIoU_mean=statistics.mean(mious), mIoU_std=std,
            aAcc_mean=statistics.mean(x['aAcc'] for _, x in r),
            train_secs_mean=statistics.mean(stored) if stored else None,
            runs=len(r))
    return summary


def main(argv=None):
    t_start = time.time()
    args = parse_args(argv)
    py = sys.executable
    work_root = osp.join(ROOT, args.work_dir)
    os.makedirs(work_root, exist_ok=True)
    results_path = osp.join(work_root, 'results.json')
    semi = {m: is_semi(CONFIGS[m]) for m in args.methods}
    target = {m: has_filter_target(CONFIGS[m]) for m in args.methods}
    bad = [m for m in args.compare_to if m not in args.methods]
    if bad:
        raise SystemExit(f'--compare-to {bad}: not in --methods')
    pairs = [(d, s) for d in args.data_seeds for s in args.seeds]
    stages = (['warmup'] if args.warmup_iters else []) + args.methods
    total = len(pairs) * len(stages)
    log_opts = ([f'default_hooks.logger.interval={args.log_interval}']
                if args.log_interval else [])
    results = {}  # (data seed, seed, stage) -> run record
    failed = []
    settings = dict(vars(args), configs=dict(CONFIGS, warmup=WARMUP),
                    data_roots={d: data_root_for(d)[1]
                                for d in args.data_seeds})

    def save(done=False):
        runs = [dict(data_seed=d, seed=s, stage=n, **r)
                for (d, s, n), r in results.items()]
        write_json_atomic(results_path, dict(
            settings=settings, runs=runs, failed=failed, complete=done,
            wall_secs=time.time() - t_start, **extra))

    extra = {}
    k = 0
    for d in args.data_seeds:
        cs_root = prepare_data(py, d, args.num_labeled, max(args.seeds) + 1)
        for seed in args.seeds:
            split = f'splits/{args.num_labeled}/split{seed}'
            seed_opts = [f'randomness.seed={seed}']
            tag = f'l{args.num_labeled}_data{d}_seed{seed}'
            warm_ckpt = None
            for stage in stages:
                k += 1
                label = f'data{d} seed{seed} {stage}'
                print(f'\n[bench] run {k}/{total}: {label}', flush=True)
                rec = dict(name=label)
                if stage == 'warmup':
                    iters, cfg = args.warmup_iters, WARMUP
                    wd = osp.join(args.work_dir,
                                  f'warmup{args.warmup_iters}_{tag}')
                    opts = (schedule_opts(iters) + seed_opts +
                            split_opts(False, split) +
                            train_root_opts(False, cs_root) + log_opts)
                    older_than = None
                else:
                    if args.warmup_iters and warm_ckpt is None:
                        print(f'[bench] {label}: skipped (no warm-up)',
                              flush=True)
                        failed.append(dict(run=label, error='no warm-up'))
                        continue
                    iters, cfg = args.iters, CONFIGS[stage]
                    wd = osp.join(args.work_dir,
                                  f'{stage}_w{args.warmup_iters}_'
                                  f'{args.iters}_{tag}')
                    opts = (schedule_opts(iters) + seed_opts +
                            split_opts(semi[stage], split, target[stage]) +
                            train_root_opts(semi[stage], cs_root,
                                            target[stage]) + log_opts)
                    if warm_ckpt:
                        opts.append(f'{INIT_KEY[stage]}={warm_ckpt}')
                        older_than = osp.join(ROOT, warm_ckpt)
                    else:  # from random init
                        opts.append(
                            f'{INIT_KEY[stage].rsplit(".", 1)[0]}=None')
                        older_than = None
                    opts += args.cfg_options
                rec.update(config=cfg, work_dir=wd, iters=iters)
                try:
                    rec.update(train_and_test(
                        label, cfg, wd, iters, opts,
                        eval_root_opts(cs_root), args.force, older_than))
                except (RunFailed, IndexError, AttributeError) as e:
                    print(f'[bench] {label}: FAILED\n{e}', flush=True)
                    failed.append(dict(run=label, error=str(e)))
                    save()
                    continue
                if stage == 'warmup':
                    warm_ckpt = rec['checkpoint']
                results[(d, seed, stage)] = rec
                save()
                secs = None if rec['reused'] else rec['train_secs']
                print(f'data {d} seed {seed} {stage:15s} mIoU '
                      f'{rec["mIoU"]:6.2f} aAcc {rec["aAcc"]:6.2f} train '
                      f'{fmt_secs(secs)}', flush=True)

    extra['summary'] = summary_table(args, results, pairs, stages)
    extra['per_class'] = per_class_report(results, args.methods, pairs)
    if args.compare_to:
        extra['per_class_vs'] = {
            ref: per_class_report(results, args.methods, pairs, ref)
            for ref in args.compare_to}
    wall = time.time() - t_start
    save(done=not failed)
    if failed:
        print(f'\n[bench] {len(failed)} run(s) failed: ' +
              ', '.join(f['run'] for f in failed))
    print(f'\n[bench] total wall time {fmt_wall(wall)} ({wall:.0f}s); '
          f'results in {osp.join(args.work_dir, "results.json")}', flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

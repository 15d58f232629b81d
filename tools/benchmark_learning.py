"""Learning benchmark: supervised baseline vs the semi-supervised methods
(Dense FixMatch, ClassMix, CutMix and Cutout mean teacher, Dense FixMatch
with online DARS, UniMatch, UniMatch V2) on generated data.

The earlier main job (``configs/demo/``, before ``tools/run_demo.sh`` moved
to ``tools/benchmark_regime.py``) in longer form, with seeds.
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
(the semi-supervised methods are evaluated with their EMA teacher); while
one trains, its logger lines are echoed as ``[bench] <run>: step 25/300,
eta 0:03:10``.
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
import math
import os.path as osp
import re
import statistics
import sys
import time

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
# the shared helpers, also for tools/benchmark_dars_rounds.py (bl.<name>)
from benchmark_common import (DATA_ROOT, ROOT, LearningBenchmark,  # noqa
                              RunFailed, data_root_for, fmt_secs, fmt_wall,
                              jsonable, last_test_line, nanmean,
                              parse_progress, run, run_quiet,
                              train_and_test, train_secs_summary,
                              write_json_atomic)

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
    'd8_1xb8-explicit-same-cpu-sup300i-100i_synthcityscapes-8.py',
    unimatch='configs/demo/unimatch_deeplabv3plus_r18-d8_1xb8-explicit-cpu-'
    'sup300i-100i_synthcityscapes-8.py',
    unimatch_v2='configs/demo/unimatch-v2_deeplabv3plus_r18-d8_1xb8-'
    'explicit-cpu-sup300i-100i_synthcityscapes-8.py')
# where each stage-2 config keeps its warm-up checkpoint
INIT_KEY = dict(
    baseline='model.init_cfg.checkpoint',
    dense_fixmatch='model.segmentor.init_cfg.checkpoint',
    classmix='model.segmentor.init_cfg.checkpoint',
    cutmix='model.segmentor.init_cfg.checkpoint',
    cutout='model.segmentor.init_cfg.checkpoint',
    dense_fixmatch_dars='model.segmentor.init_cfg.checkpoint',
    unimatch='model.segmentor.init_cfg.checkpoint',
    unimatch_v2='model.segmentor.init_cfg.checkpoint')
# where a config keeps a labeled dataset config as the online pseudo-label
# filter's target distribution (OnlineDistributionAlignment): it gets the
# same data root and labeled split as the training data
FILTER_TARGET_KEY = 'model.semi_train_cfg.pseudo_label_filter.target'
BASELINE = 'baseline'  # the method the others are compared with per class
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


# ------------------------------------------------------------- parsing
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
    line = last_test_line(text)
    miou = float(re.search(r'mIoU: ([0-9.]+)', line).group(1))
    aacc = float(re.search(r'aAcc: ([0-9.]+)', line).group(1))
    return miou, aacc


# ------------------------------------------------------------- statistics
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


# ------------------------------------------------------------------ runs
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
        secs, stored = train_secs_summary([x for _, x in r])
        per = ' '.join(f'd{d}s{s}:{x["mIoU"]:.2f}' for (d, s), x in r)
        print(f'{name:16s} {statistics.mean(mious):10.2f} {std:6.2f} '
              f'{statistics.mean(x["aAcc"] for _, x in r):10.2f} '
              f'{secs:>8s}  {per}')
        summary[name] = dict(
            mIoU_mean=statistics.mean(mious), mIoU_std=std,
            aAcc_mean=statistics.mean(x['aAcc'] for _, x in r),
            train_secs_mean=stored, runs=len(r))
    return summary


# ------------------------------------------------------------ the loop
class SegLearningBenchmark(LearningBenchmark):
    """Segmentation: warm-up (skipped with ``--warmup-iters 0``, the
    methods then start from random init), then each method; labeled /
    unlabeled splits of ``--num-labeled`` images."""
    warmup_config = WARMUP
    configs = CONFIGS
    init_key = INIT_KEY

    def setup(self):
        methods = self.args.methods
        self.semi = {m: is_semi(CONFIGS[m]) for m in methods}
        self.target = {m: has_filter_target(CONFIGS[m]) for m in methods}
        bad = [m for m in self.args.compare_to if m not in methods]
        if bad:
            raise SystemExit(f'--compare-to {bad}: not in --methods')

    def has_warmup(self):
        return bool(self.args.warmup_iters)

    def prepare_data(self, data_seed):
        root, cs_root = data_root_for(data_seed)
        run_quiet([[self.py, 'tools/gen_datasets.py', '--out', root,
                    '--dataset', 'cityscapes', '--seed', str(data_seed)],
                   [self.py, 'tools/make_splits.py', '--dataset',
                    'cityscapes', '--data-root', cs_root, '--num-labeled',
                    str(self.args.num_labeled), '--num-splits',
                    str(max(self.args.seeds) + 1)]], data_seed)
        return cs_root

    def run_tag(self, data_seed, seed):
        return f'l{self.args.num_labeled}_data{data_seed}_seed{seed}'

    def train_opts(self, st):
        split = f'splits/{self.args.num_labeled}/split{st.seed}'
        head = schedule_opts(st.iters) + self.seed_opts(st.seed)
        if st.stage == 'warmup':
            return (head + split_opts(False, split) +
                    train_root_opts(False, st.cs_root) + self.log_opts())
        semi, target = self.semi[st.stage], self.target[st.stage]
        return (head + split_opts(semi, split, target) +
                train_root_opts(semi, st.cs_root, target) +
                self.log_opts() + self.init_opts(st.stage, st.warm_ckpt) +
                self.args.cfg_options)

    def test_opts(self, cs_root):
        return eval_root_opts(cs_root)

    def parse_test(self, text):
        return seg_test_record(text)

    def describe(self, st, rec):
        secs = None if rec['reused'] else rec['train_secs']
        return (f'data {st.data_seed} seed {st.seed} {st.stage:15s} mIoU '
                f'{rec["mIoU"]:6.2f} aAcc {rec["aAcc"]:6.2f} train '
                f'{fmt_secs(secs)}')

    def report(self, results, pairs, stages):
        args = self.args
        extra = dict(
            summary=summary_table(args, results, pairs, stages),
            per_class=per_class_report(results, args.methods, pairs))
        if args.compare_to:
            extra['per_class_vs'] = {
                ref: per_class_report(results, args.methods, pairs, ref)
                for ref in args.compare_to}
        return extra


def main(argv=None):
    t_start = time.time()
    return SegLearningBenchmark(parse_args(argv), t_start).run()


if __name__ == '__main__':
    sys.exit(main())

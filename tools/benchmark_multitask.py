"""Multi-task learning benchmark: supervised multi-task baseline vs Dense
FixMatch and FixMatch* multi-task (segmentation + detection) on generated
data, from a shared supervised warm-up.

The multi-task counterpart of ``tools/benchmark_learning.py`` (both run
the stage loop of ``tools/benchmark_common.py``). Per data seed ``d``
(``--data-seeds``)
it uses the Cityscapes-format data set of ``tools/gen_datasets.py --seed d``
(``data/synthetic`` for d = 0, else ``data/synthetic_data<d>``; generated
if missing), derives its detection boxes (``tools/convert_cityscapes_boxes.py``)
and the multi-task splits of ``--regime`` (``tools/make_splits.py
--multitask``; split k for training seed k), then per training seed
(``--seeds``):

1. **warm-up**: the supervised multi-task demo config
   (``multitask-sup_..._1xb4-cpu-1500i_...``) trains ``--warmup-iters`` from
   random init on the samples labeled for at least one task (each task's
   loss over the samples labeled for it) -- the CPU stand-in for the
   paper's ImageNet-pretrained backbone;
2. **baseline** (supervised multi-task), **dense_fixmatch** and
   **fixmatch_star** start from the warm-up checkpoint
   (``init_cfg=Pretrained``; for the semi-supervised models on the inner
   network, so student and EMA teacher both start from it) and train
   ``--iters`` more with the same labeled batch size (4), learning rate and
   schedule; only the semi-supervised arms also see the unlabeled samples
   (4 per batch) and they are evaluated with their EMA teacher.

Every run goes through the stock ``tools/train.py`` and ``tools/test.py``
(validation during training is skipped: ``tools/test.py`` evaluates the
final checkpoint on the val split). While one trains, its logger lines are
echoed as ``[bench] <run>: step 10/40, eta 0:03:10``. Finished runs are
reused, with their test log when it is newer than the checkpoint
(``--force`` retrains; a stage-2 run older than its warm-up checkpoint is
retrained). Prints mIoU, bbox mAP (x100), mAP50 and gmean per
run, per (data seed, seed), mean and std, and each semi-supervised arm's
change against the baseline per pair; writes everything, with the settings
and the wall times, atomically to ``<work-dir>/results.json`` after every
run.

Usage:
    python tools/benchmark_multitask.py --warmup-iters 1500 --iters 300 \
        --seeds 0 --data-seeds 0 1 2 [--regime d-8-24] \
        [--methods baseline dense_fixmatch fixmatch_star] \
        [--log-interval 10] [--work-dir work_dirs/benchmark_multitask] \
        [--force] [--cfg-options KEY=VALUE ...]
    # smoke run
    python tools/benchmark_multitask.py --warmup-iters 2 --iters 2 \
        --seeds 0 --data-seeds 0 --log-interval 1 --work-dir /tmp/mt_smoke
"""
import argparse
import math
import os.path as osp
import re
import statistics
import sys
import time

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from benchmark_common import (ROOT, LearningBenchmark,  # noqa: E402
                              data_root_for, fmt_secs, last_test_line,
                              run_quiet, train_secs_summary)

DEMO = 'configs/demo/'
SUFFIX = '_synthcityscapes-mt-d-8-24.py'
WARMUP = (DEMO + 'multitask-sup_deeplabv3plus-retinanet_r18_1xb4-cpu-1500i'
          + SUFFIX)
CONFIGS = dict(
    baseline=DEMO + 'multitask-sup_deeplabv3plus-retinanet_r18_1xb4-cpu-'
    'sup1500i-300i' + SUFFIX,
    dense_fixmatch=DEMO + 'dense-fixmatch_deeplabv3plus-retinanet_r18_1xb8-'
    'explicit-cpu-sup1500i-300i' + SUFFIX,
    fixmatch_star=DEMO + 'fixmatch-star_deeplabv3plus-retinanet_r18_1xb8-'
    'explicit-cpu-sup1500i-300i' + SUFFIX)
SEMI = dict(baseline=False, dense_fixmatch=True, fixmatch_star=True)
INIT_KEY = dict(
    baseline='model.init_cfg.checkpoint',
    dense_fixmatch='model.model.init_cfg.checkpoint',
    fixmatch_star='model.model.init_cfg.checkpoint')
BASELINE = 'baseline'
METRICS = ('mIoU', 'bbox_mAP', 'bbox_mAP_50', 'gmean', 'aAcc')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--warmup-iters', type=int, default=1500)
    p.add_argument('--iters', type=int, default=300)
    p.add_argument('--seeds', type=int, nargs='+', default=[0],
                   help='training seeds; seed k trains on split k')
    p.add_argument('--data-seeds', type=int, nargs='+', default=[0, 1, 2],
                   help='tools/gen_datasets.py seeds (0: data/synthetic, '
                   'k: data/synthetic_data<k>)')
    p.add_argument('--regime', default='d-8-24',
                   help='multi-task regime of tools/make_splits.py '
                   '--multitask (a-<N>, b-<N>, c-<N>, d-<S>-<D>, e-<S>-<D>)')
    p.add_argument('--work-dir', default='work_dirs/benchmark_multitask')
    p.add_argument('--methods', nargs='+', default=list(CONFIGS),
                   choices=list(CONFIGS))
    p.add_argument('--force', action='store_true',
                   help='retrain (and retest) runs found on disk; without '
                   'it a run with a fresh checkpoint and test log is reused '
                   'as it is')
    p.add_argument('--results', default='results.json',
                   help='file name under --work-dir (several processes on '
                   'different data seeds can share a work dir, each with '
                   'its own file; a later call over all of them reuses '
                   'every run and writes the merged table)')
    p.add_argument('--log-interval', type=int)
    p.add_argument('--cfg-options', nargs='*', default=[],
                   help='extra overrides for the stage-2 runs')
    return p.parse_args(argv)


def parse_test_metrics(text):
    """``multitask/*`` metrics of the last ``Iter(test)`` line; bbox_mAP
    and bbox_mAP_50 x 100 (CocoMetric reports fractions)."""
    line = last_test_line(text)
    out = {}
    for key in METRICS:
        m = re.search(r'multitask/' + key + r': (-?[0-9.]+)', line)
        out[key] = float(m.group(1)) if m else float('nan')
    for key in ('bbox_mAP', 'bbox_mAP_50'):
        out[key] *= 100
    return out


def schedule_opts(iters):
    # no validation during training: tools/test.py evaluates the result
    return [f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
            f'train_cfg.val_begin={iters + 1}',
            f'default_hooks.checkpoint.interval={iters}',
            'default_hooks.checkpoint.save_best=None',
            f'param_scheduler.0.end={iters}']


def eval_opts(cs_root):
    ann = osp.join(cs_root, 'annotations/multitask_gtFine_val.json')
    return [f'val_dataloader.dataset.data_root={cs_root}',
            f'test_dataloader.dataset.data_root={cs_root}',
            f'val_evaluator.det_metric.ann_file={ann}',
            f'test_evaluator.det_metric.ann_file={ann}']


def train_data_opts(semi, cs_root, split_dir):
    vals = dict(data_root=cs_root,
                seg_split=f'{split_dir}/seg_labeled.txt',
                det_split=f'{split_dir}/det_labeled.txt')
    keys = (['train_dataloader.dataset.labeled',
             'train_dataloader.dataset.unlabeled'] if semi else
            ['train_dataloader.dataset'])
    return [f'{k}.{n}={v}' for k in keys for n, v in vals.items()]


def summary_table(args, results, pairs, names):
    summary = {}
    print(f'\nregime {args.regime}, warm-up {args.warmup_iters} + '
          f'{args.iters} iterations, data seeds {args.data_seeds}, seeds '
          f'{args.seeds} (split k uses seed k); bbox mAP x100')
    print(f'{"run":15s} {"mIoU":>13s} {"bbox mAP":>13s} {"mAP50":>6s} '
          f'{"gmean":>13s} {"train s":>8s}  per (data seed, seed): '
          'mIoU/mAP/gmean')
    for name in names:
        r = [(p, results[p + (name,)]) for p in pairs
             if p + (name,) in results]
        if not r:
            continue
        row, stats = '', {}
        for key in METRICS:
            vals = [x[key] for _, x in r if not math.isnan(x[key])]
            mean = statistics.mean(vals) if vals else float('nan')
            std = statistics.stdev(vals) if len(vals) > 1 else 0.0
            stats[f'{key}_mean'], stats[f'{key}_std'] = mean, std
        secs, stored = train_secs_summary([x for _, x in r])
        per = ' '.join(f'd{d}s{s}:{x["mIoU"]:.2f}/{x["bbox_mAP"]:.1f}/'
                       f'{x["gmean"]:.2f}' for (d, s), x in r)
        for key in ('mIoU', 'bbox_mAP', 'gmean'):
            row += (f' {stats[key + "_mean"]:6.2f}+-'
                    f'{stats[key + "_std"]:5.2f}')
            if key == 'bbox_mAP':
                row += f' {stats["bbox_mAP_50_mean"]:6.2f}'
        print(f'{name:15s}{row} {secs:>8s}  {per}')
        summary[name] = dict(stats, runs=len(r), train_secs_mean=stored)
    if BASELINE in names:
        print('\nchange against the baseline (method - baseline), per '
              '(data seed, seed): mIoU / bbox mAP / gmean')
        for name in names:
            if name in (BASELINE, 'warmup'):
                continue
            deltas = []
            for p in pairs:
                b, m = results.get(p + (BASELINE,)), results.get(p + (name,))
                if b and m:
                    deltas.append((p, {k: m[k] - b[k] for k in METRICS}))
            if not deltas:
                continue
            mean = {k: statistics.mean(d[k] for _, d in deltas)
                    for k in METRICS}
            wins = {k: sum(d[k] > 0 for _, d in deltas) for k in METRICS}
            print(f'{name:15s} mean {mean["mIoU"]:+6.2f} / '
                  f'{mean["bbox_mAP"]:+6.2f} / {mean["gmean"]:+6.2f}  '
                  f'(above baseline in {wins["mIoU"]}/{len(deltas)} mIoU, '
                  f'{wins["bbox_mAP"]}/{len(deltas)} mAP)  ' +
                  ' '.join(f'd{d}s{s}:{x["mIoU"]:+.2f}/{x["bbox_mAP"]:+.1f}'
                           f'/{x["gmean"]:+.2f}' for (d, s), x in deltas))
            summary[name]['vs_baseline'] = dict(
                mean=mean, above=wins, runs=len(deltas),
                per_pair=[dict(data_seed=d, seed=s, **x)
                          for (d, s), x in deltas])
    return summary


class MultiTaskLearningBenchmark(LearningBenchmark):
    """Multi-task: always a warm-up, then each arm from its checkpoint;
    the multi-task splits of ``--regime``; no validation during
    training."""
    warmup_config = WARMUP
    configs = CONFIGS
    init_key = INIT_KEY

    @property
    def results_name(self):
        return self.args.results

    def prepare_data(self, data_seed):
        root, cs_root = data_root_for(data_seed)
        cmds = []
        if not osp.isdir(osp.join(ROOT, cs_root, 'leftImg8bit')):
            cmds.append([self.py, 'tools/gen_datasets.py', '--out', root,
                         '--dataset', 'cityscapes', '--seed',
                         str(data_seed)])
        cmds += [[self.py, 'tools/convert_cityscapes_boxes.py', cs_root,
                  '--nproc', '1'],
                 [self.py, 'tools/make_splits.py', '--dataset',
                  'cityscapes', '--data-root', cs_root, '--multitask',
                  self.args.regime, '--num-splits',
                  str(max(self.args.seeds) + 1)]]
        run_quiet(cmds, data_seed, last=3)
        return cs_root

    def run_tag(self, data_seed, seed):
        return f'{self.args.regime}_data{data_seed}_seed{seed}'

    def train_opts(self, st):
        split_dir = f'splits/multitask/{self.args.regime}/split{st.seed}'
        warm = st.stage == 'warmup'
        semi = False if warm else SEMI[st.stage]
        init = [] if warm else self.init_opts(st.stage, st.warm_ckpt)
        opts = (schedule_opts(st.iters) + self.seed_opts(st.seed) +
                train_data_opts(semi, st.cs_root, split_dir) +
                eval_opts(st.cs_root) + self.log_opts() + init)
        return opts if warm else opts + self.args.cfg_options

    def test_opts(self, cs_root):
        return eval_opts(cs_root)

    def parse_test(self, text):
        return parse_test_metrics(text)

    def describe(self, st, rec):
        secs = None if rec['reused'] else rec['train_secs']
        return (f'data {st.data_seed} seed {st.seed} {st.stage:15s} mIoU '
                f'{rec["mIoU"]:6.2f} bbox mAP {rec["bbox_mAP"]:5.1f} '
                f'(mAP50 {rec["bbox_mAP_50"]:5.1f}) gmean '
                f'{rec["gmean"]:6.2f} train {fmt_secs(secs)} test '
                f'{fmt_secs(rec["test_secs"])}')

    def report(self, results, pairs, stages):
        return dict(summary=summary_table(self.args, results, pairs, stages))


def main(argv=None):
    t_start = time.time()
    return MultiTaskLearningBenchmark(parse_args(argv), t_start).run()


if __name__ == '__main__':
    sys.exit(main())

"""CPU benchmark in the papers' regime: every method from one stage-1 model,
on several generated datasets and labeled splits, with mean and spread.

The papers start from an ImageNet-pretrained backbone; here the backbone
comes from ``tools/pretrain_backbone.py`` (a CPU pretraining on generated
street scenes of other generator seeds, cached). Then, per dataset
(``--data-seeds``: ``tools/gen_datasets.py --seed d --class-tint
0.5`` with 96 train and 32 val images into
``data/cpu_benchmark/data<d>``) and labeled split (``--splits``:
fractions of the 96 train images, ``tools/make_splits.py --fractions``;
the rest of train is the unlabeled set):

1. **stage 1**: the supervised config trains ``--stage1-iters`` on the
   labeled split from the pretrained backbone; its checkpoint is the start
   of every arm of that (dataset, split), and the teacher the
   semi-supervised arms start from;
2. **arms** (``--arms``): each trains ``--iters`` more from the stage-1
   checkpoint with the same labeled batches, learning rate and schedule:
   ``baseline`` (labeled only) and the semi-supervised methods (4 labeled +
   4 unlabeled per batch), evaluated with their EMA teacher;
3. **all labels** (once per dataset): the supervised config on all 96
   train images for ``--stage1-iters + --iters`` from the pretrained
   backbone, the reference the papers' "fully supervised" row is.

Every run is the stock ``tools/train.py`` + ``tools/test.py``; finished
runs are reused (a stage-2 run older than its stage-1 checkpoint is
retrained; ``--force`` retrains all). Progress: each run's steps and ETA
(``[bench] data0 1-8 dense_fixmatch: step 50/150, eta 0:01:40``) and the
whole benchmark's (``[bench] run 7/30 ... overall eta 1:02:00``, from the
measured seconds per step of each kind). After every run the results go
atomically to ``<work-dir>/results.json``: the runs (arm, dataset, split,
mIoU, aAcc, per-class IoU, train seconds) and the regime per (dataset,
split): the stage-1 model's per-class IoU and the classes it never
predicts (0 IoU), the few-label baseline, the all-label reference and
their gap. At the end ``tools/analysis_tools/benchmark_report.py`` writes
the table (mean +- std over datasets, per split, wins against the
baseline, classes losing more than 5 IoU) to ``--md`` and bar plots with
error bars next to it.

Usage:
    python tools/benchmark_regime.py [--data-seeds 0 1 2] \
        [--splits 1-8 1-4] [--arms baseline dense_fixmatch ...] \
        [--stage1-iters 600] [--iters 150] [--work-dir DIR] [--md DOC.md]
    # smoke run
    python tools/benchmark_regime.py --data-seeds 0 --splits 1-8 \
        --arms baseline dense_fixmatch --stage1-iters 2 --iters 2 \
        --log-interval 1 --work-dir /tmp/regime_smoke --no-report
"""
import argparse
import glob
import os
import os.path as osp
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from benchmark_common import (ROOT, RunFailed, fmt_wall,  # noqa: E402
                              run_quiet, train_and_test, write_json_atomic)
from benchmark_learning import (eval_root_opts, has_filter_target,  # noqa
                                is_semi, schedule_opts, seg_test_record,
                                split_opts, train_root_opts)

CFG_DIR = 'configs/cpu_benchmark/'
STAGE1 = CFG_DIR + 'deeplabv3plus_r18-d16_1xb4-cpu-sup_synthcityscapes.py'
# arm -> stage-2 config; every config keeps the stage-1 checkpoint at
# INIT_KEY (the semi-supervised ones on the inner segmentor, so student
# and EMA teacher both start from it)
ARMS = dict(
    baseline=STAGE1,
    dense_fixmatch=CFG_DIR + 'dense-fixmatch_deeplabv3plus_r18-d16_'
    '1xb8-explicit-cpu-stage2_synthcityscapes.py',
    fixmatch_star=CFG_DIR + 'fixmatch-star_deeplabv3plus_r18-d16_'
    '1xb8-explicit-cpu-stage2_synthcityscapes.py',
    classmix=CFG_DIR + 'classmix_deeplabv3plus_r18-d16_1xb8-explicit-cpu-'
    'stage2_synthcityscapes.py',
    cutmix=CFG_DIR + 'cutmix-mt_deeplabv3plus_r18-d16_1xb8-explicit-cpu-'
    'stage2_synthcityscapes.py',
    cutout=CFG_DIR + 'cutout-mt_deeplabv3plus_r18-d16_1xb8-explicit-cpu-'
    'stage2_synthcityscapes.py',
    dense_fixmatch_dars=CFG_DIR + 'dense-fixmatch-dars_deeplabv3plus_'
    'r18-d16_1xb8-explicit-cpu-stage2_synthcityscapes.py')
SUPERVISED_INIT_KEY = 'model.init_cfg'
SEMI_INIT_KEY = 'model.segmentor.init_cfg'
LABELS = dict(
    stage1='stage 1 (supervised, few labels)',
    all_labels='supervised, all labels',
    baseline='supervised baseline',
    dense_fixmatch='Dense FixMatch',
    fixmatch_star='FixMatch*',
    classmix='ClassMix',
    cutmix='CutMix mean teacher',
    cutout='Cutout mean teacher',
    dense_fixmatch_dars='Dense FixMatch + online DARS')
# relative cost of one step (a supervised step = 1), for the overall ETA
# before a kind has been measured
STEP_COST = dict(supervised=1.0, semi=2.7)
NUM_TRAIN, NUM_VAL = 96, 32
# Every labeled pixel blended half-way towards its class's Cityscapes colour
# (tools/gen_datasets.py --class-tint): what makes the 19 classes learnable
# in minutes on CPU (docs/cpu_benchmark.md says what this makes easy).
CLASS_TINT = 0.5


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data-seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--splits', nargs='+', default=['1-8', '1-4'],
                   help='labeled fractions of the train images (1-8: 1/8)')
    p.add_argument('--arms', nargs='+', default=list(ARMS),
                   choices=list(ARMS))
    p.add_argument('--stage1-iters', type=int, default=600)
    p.add_argument('--iters', type=int, default=150,
                   help='stage-2 iterations of every arm')
    p.add_argument('--seed', type=int, default=0, help='training seed')
    p.add_argument('--no-all-labels', action='store_true',
                   help='skip the all-label reference runs')
    p.add_argument('--work-dir', default='work_dirs/benchmark_regime')
    p.add_argument('--md', default='docs/cpu_benchmark_results.md',
                   help='the markdown table (plots next to it)')
    p.add_argument('--no-report', action='store_true')
    p.add_argument('--results-name', default='results.json',
                   help='results file in the work dir (the main job writes '
                   'its own, so it never shrinks the full benchmark\'s)')
    p.add_argument('--force', action='store_true')
    p.add_argument('--log-interval', type=int, default=25)
    p.add_argument('--pretrained',
                   help='backbone checkpoint to start stage 1 and the '
                   'all-label runs from instead of building the CPU '
                   'pretraining stand-in (tools/pretrain_backbone.py)')
    p.add_argument('--threads', type=int,
                   help='OMP_NUM_THREADS of the runs (default: inherited)')
    return p.parse_args(argv)


def data_root(data_seed: int) -> str:
    return f'data/cpu_benchmark/data{data_seed}/cityscapes/'


def split_dir(split: str) -> str:
    return f'splits/{split}/split0'


def prepare_data(py: str, data_seed: int, splits: List[str]) -> str:
    """Generate one dataset (idempotent) and its splits; its root."""
    root = data_root(data_seed)
    fractions = [s.replace('-', '/') for s in splits]
    run_quiet([[py, 'tools/gen_datasets.py', '--out',
                f'data/cpu_benchmark/data{data_seed}', '--dataset',
                'cityscapes', '--seed', str(data_seed), '--num-train',
                str(NUM_TRAIN), '--num-val', str(NUM_VAL), '--num-extra',
                '0', '--class-tint', str(CLASS_TINT)],
               [py, 'tools/make_splits.py', '--dataset', 'cityscapes',
                '--data-root', root, '--fractions', *fractions,
                '--num-splits', '1']], data_seed, last=len(splits) + 1)
    return root


@dataclass
class Job:
    """One run: ``arm`` ('stage1', 'all_labels' or an arm of ARMS)."""
    arm: str
    data_seed: int
    split: str  # '' for all_labels
    config: str
    iters: int
    work_dir: str
    semi: bool = False
    needs: Optional[str] = None  # key of the stage-1 job it starts from
    opts: List[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f'data{self.data_seed} {self.split or "all"} {self.arm}'

    @property
    def cost(self) -> float:
        return self.iters * STEP_COST['semi' if self.semi else 'supervised']


def plan(args) -> List[Job]:
    """Every run in order: per dataset the all-label reference, then per
    split stage 1 and its arms."""
    jobs, wd = [], args.work_dir
    semi = {a: is_semi(ARMS[a]) for a in args.arms}
    target = {a: has_filter_target(ARMS[a]) for a in args.arms}
    seed = [f'randomness.seed={args.seed}']
    logs = [f'default_hooks.logger.interval={args.log_interval}']
    n1, n2 = args.stage1_iters, args.iters
    if args.pretrained:
        seed = seed + [f'model.pretrained={args.pretrained}']
    for d in args.data_seeds:
        root = data_root(d)
        if not args.no_all_labels:
            jobs.append(Job(
                'all_labels', d, '', STAGE1, n1 + n2,
                osp.join(wd, f'all_labels_{n1 + n2}i_data{d}'),
                opts=schedule_opts(n1 + n2) + seed + logs +
                ['train_dataloader.dataset.ann_file='] +
                train_root_opts(False, root)))
        for split in args.splits:
            sd = split_dir(split)
            s1 = Job('stage1', d, split, STAGE1, n1,
                     osp.join(wd, f'stage1_{n1}i_data{d}_{split}'),
                     opts=schedule_opts(n1) + seed + logs +
                     split_opts(False, sd) + train_root_opts(False, root))
            jobs.append(s1)
            ckpt = osp.join(s1.work_dir, f'iter_{n1}.pth')
            for arm in args.arms:
                key = SEMI_INIT_KEY if semi[arm] else SUPERVISED_INIT_KEY
                jobs.append(Job(
                    arm, d, split, ARMS[arm], n2,
                    osp.join(wd, f'{arm}_{n1}i_{n2}i_data{d}_{split}'),
                    semi=semi[arm], needs=s1.key,
                    opts=schedule_opts(n2) + seed + logs +
                    split_opts(semi[arm], sd, target[arm]) +
                    train_root_opts(semi[arm], root, target[arm]) +
                    [f'{key}.type=Pretrained', f'{key}.checkpoint={ckpt}']))
    return jobs


class Eta:
    """Overall ETA from the measured seconds per step of each kind."""

    def __init__(self, jobs: List[Job]):
        self.left = {j.key: j for j in jobs}
        self.secs = dict(supervised=[], semi=[])

    def done(self, job: Job, rec: dict) -> None:
        self.left.pop(job.key, None)
        secs = rec.get('train_secs')
        if secs and secs == secs and not rec.get('reused'):
            self.secs['semi' if job.semi else 'supervised'].append(
                (secs + (rec.get('test_secs') or 0)) / job.iters)

    def remaining(self) -> Optional[float]:
        per = {k: statistics.mean(v) for k, v in self.secs.items() if v}
        if not per:
            return None
        if len(per) == 1:  # scale the measured kind by the step costs
            (k, v), = per.items()
            per = {kk: v * STEP_COST[kk] / STEP_COST[k] for kk in STEP_COST}
        return sum(j.iters * per['semi' if j.semi else 'supervised']
                   for j in self.left.values())


def regime_summary(records: Dict[str, dict], args) -> Dict[str, dict]:
    """Per (dataset, split): what makes it the papers' regime or not."""
    out = {}
    for d in args.data_seeds:
        full = records.get(f'data{d} all all_labels')
        for split in args.splits:
            s1 = records.get(f'data{d} {split} stage1')
            base = records.get(f'data{d} {split} baseline')
            if not s1:
                continue
            iou = s1.get('per_class_iou') or {}
            entry = dict(
                stage1_mIoU=s1.get('mIoU'),
                stage1_per_class_iou=iou,
                never_predicted=[c for c, v in iou.items() if not v],
                weak_classes=[c for c, v in iou.items() if v and v < 10],
                baseline_mIoU=base and base.get('mIoU'),
                all_labels_mIoU=full and full.get('mIoU'))
            if base and full:
                entry['headroom'] = round(full['mIoU'] - base['mIoU'], 2)
            out[f'data{d}/{split}'] = entry
    return out


def print_regime(regime: Dict[str, dict]) -> None:
    print('\n[bench] regime per (dataset, split): stage-1 mIoU, classes it '
          'never predicts, few-label baseline vs all labels')
    for k, e in regime.items():
        head = e.get('headroom')
        print(f'  {k:12s} stage1 {e["stage1_mIoU"]:6.2f}  0-IoU classes '
              f'{len(e["never_predicted"]):2d} '
              f'({", ".join(e["never_predicted"]) or "none"})  baseline '
              f'{e["baseline_mIoU"] or float("nan"):6.2f}  all labels '
              f'{e["all_labels_mIoU"] or float("nan"):6.2f}  gap '
              f'{head if head is not None else float("nan"):+6.2f}')


def print_table(runs: List[dict], args, wall: float) -> None:
    """The at-a-glance table: per arm the mIoU / aAcc (mean +- std over
    datasets when there are several) per split, few labels -> all labels."""
    order = ['stage1', 'baseline'] + [a for a in args.arms
                                      if a != 'baseline'] + ['all_labels']
    n1, n2 = args.stage1_iters, args.iters
    steps = dict(stage1=f'{n1}', all_labels=f'{n1 + n2}')
    for split in args.splits:
        num = round(NUM_TRAIN / int(split.split('-')[1]))
        print(f'\n{num} of {NUM_TRAIN} train images labeled ({split}), '
              f'{NUM_VAL} val images, datasets {args.data_seeds}')
        print(f'{"":44s} {"steps":>9s} {"mIoU":>13s} {"aAcc":>13s}')
        for arm in order:
            rs = [r for r in runs if r['arm'] == arm and r['split'] == split]
            if not rs:
                continue
            cells = []
            for key in ('mIoU', 'aAcc'):
                vals = [r[key] for r in rs]
                sd = (f' +- {statistics.stdev(vals):4.2f}'
                      if len(vals) > 1 else '')
                cells.append(f'{statistics.mean(vals):.2f}{sd}')
            label = LABELS[arm] + (
                f' (+{NUM_TRAIN - num} unlabeled)'
                if any(r.get('semi') for r in rs) else '')
            print(f'{label[:44]:44s} {steps.get(arm, f"{n1}+{n2}"):>9s} '
                  f'{cells[0]:>13s} {cells[1]:>13s}')
    print(f'wall time {fmt_wall(wall)} (h:mm:ss) on this machine')
    for r in runs:
        if r.get('semi'):
            panels = sorted(glob.glob(osp.join(ROOT, r['work_dir'], '*',
                                               'vis_data', 'vis_image')))
            if panels:
                print(f'{r["arm"]} data{r["data_seed"]} {r["split"]} '
                      'pseudo-label panels (weak | pseudo-label | matched '
                      'over strong | strong | student): '
                      f'{osp.relpath(panels[-1], ROOT)}')


def main(argv=None):
    args = parse_args(argv)
    t_start = time.time()
    if args.threads:
        os.environ['OMP_NUM_THREADS'] = str(args.threads)
    py = sys.executable
    if not args.pretrained:
        print('[bench] pretrained backbone (tools/pretrain_backbone.py)',
              flush=True)
        # its own progress lines go straight to the console
        subprocess.run([py, 'tools/pretrain_backbone.py'], cwd=ROOT,
                       check=True)
    jobs = plan(args)
    eta = Eta(jobs)
    work_root = osp.join(ROOT, args.work_dir)
    os.makedirs(work_root, exist_ok=True)
    results_path = osp.join(work_root, args.results_name)
    records: Dict[str, dict] = {}
    runs, failed = [], []
    settings = dict(vars(args), stage1_config=STAGE1, configs=ARMS,
                    num_train=NUM_TRAIN, num_val=NUM_VAL)

    def save(done=False):
        write_json_atomic(results_path, dict(
            settings=settings, regime=regime_summary(records, args),
            runs=runs, failed=failed, complete=done,
            wall_secs=time.time() - t_start))

    prepared = set()
    for k, job in enumerate(jobs, 1):
        if job.data_seed not in prepared:
            prepare_data(py, job.data_seed, args.splits)
            prepared.add(job.data_seed)
        left = eta.remaining()
        print(f'\n[bench] run {k}/{len(jobs)}: {job.key} ({job.iters} '
              f'steps); elapsed {fmt_wall(time.time() - t_start)}, overall '
              f'eta {fmt_wall(left) if left is not None else "?"}',
              flush=True)
        if job.needs and job.needs not in records:
            print(f'[bench] {job.key}: skipped ({job.needs} failed)',
                  flush=True)
            failed.append(dict(run=job.key, error=f'no {job.needs}'))
            eta.done(job, {})
            continue
        older = (osp.join(ROOT, records[job.needs]['checkpoint'])
                 if job.needs else None)
        try:
            rec = train_and_test(
                job.key, job.config, job.work_dir, job.iters, job.opts,
                eval_root_opts(data_root(job.data_seed)), args.force,
                older, parse=seg_test_record)
        except (RunFailed, IndexError, AttributeError) as e:
            print(f'[bench] {job.key}: FAILED\n{e}', flush=True)
            failed.append(dict(run=job.key, error=str(e)))
            eta.done(job, {})
            save()
            continue
        records[job.key] = rec
        eta.done(job, rec)
        # the all-label reference is one run per dataset, shown in every
        # split's column
        for split in ([job.split] if job.split else args.splits):
            runs.append(dict(
                arm=job.arm, data_seed=job.data_seed, split=split,
                seed=args.seed, task='seg', mIoU=rec['mIoU'],
                aAcc=rec['aAcc'], per_class=rec['per_class_iou'],
                train_secs=rec['train_secs'], test_secs=rec['test_secs'],
                reused=rec['reused'], semi=job.semi, config=job.config,
                work_dir=job.work_dir, iters=job.iters))
        save()
        print(f'[bench] {job.key}: mIoU {rec["mIoU"]:.2f} aAcc '
              f'{rec["aAcc"]:.2f}', flush=True)
    regime = regime_summary(records, args)
    print_regime(regime)
    print_table(runs, args, time.time() - t_start)
    save(done=not failed)
    if not args.no_report:
        from analysis_tools.benchmark_report import write_report
        arms = {a: LABELS[a] for a in ['stage1', 'all_labels', *args.arms]}
        out = write_report(
            results_path, args.md,
            osp.splitext(args.md)[0], arms=arms, labels=arms,
            reference=dict(seg='baseline'), extra=['stage1', 'all_labels'],
            title='CPU benchmark in the papers\' regime')
        print(f'[bench] report: {out["md"]} ' + ' '.join(out['png']))
    wall = time.time() - t_start
    print(f'\n[bench] {len(jobs) - len(failed)}/{len(jobs)} runs done, '
          f'total wall time {fmt_wall(wall)}; results in '
          f'{osp.join(args.work_dir, args.results_name)}', flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

"""CPU benchmark in the papers' regime: every method from one stage-1 model,
on several generated datasets and labeled splits, with mean and spread.

The papers start from an ImageNet-pretrained backbone; here the backbone
comes from ``tools/pretrain_backbone.py`` (a CPU pretraining on generated
street scenes of other generator seeds, cached). Then, per dataset
(``--data-seeds``: ``tools/gen_datasets.py --seed d --class-tint
0.5 --class-texture 32 --min-thin-px 4`` with 96 train and 32 val images
into ``data/cpu_benchmark/data<d>``) and labeled split (``--splits``:
fractions of the 96 train images, ``tools/make_splits.py --fractions``;
the rest of train is the unlabeled set):

1. **stage 1**: the supervised config trains ``--stage1-iters`` on the
   labeled split from the pretrained backbone; its checkpoint is the start
   of every arm of that (dataset, split), and the teacher the
   semi-supervised arms start from;
2. **arms** (``--arms``): each trains ``--iters`` more from the stage-1
   checkpoint with the same labeled batches, learning rate and schedule:
   ``baseline`` (labeled only), ``baseline_ema`` (the same, evaluated
   with the EMA of its weights) and the semi-supervised methods (4
   labeled + 4 unlabeled per batch), evaluated with their EMA teacher; the
   offline DARS rounds (``dars_r1``, ``dars_r2``: one
   ``tools/dars_rounds.py --rounds 2`` job with the stage-1 checkpoint as
   round 0; round k pseudo-labels the unlabeled images with round k-1's
   model and trains ``--iters`` on 4 labeled + 4 pseudo-labeled crops
   from round k-1's weights, so round 2 is ``2 x --iters`` after stage 1);
3. **all labels** (once per dataset): the supervised config on all 96
   train images for ``--stage1-iters + --iters`` from the pretrained
   backbone, the reference the papers' "fully supervised" row is.

Every run is the stock ``tools/train.py`` + ``tools/test.py``; finished
runs are reused (a stage-2 run older than its stage-1 checkpoint is
retrained; ``--force`` retrains all; the DARS rounds go through
``tools/dars_rounds.py``, which skips finished steps, after removing the
rounds older than the model they start from). Progress: each run's steps
and ETA (``[bench] data0 1-8 dense_fixmatch: step 50/150, eta 0:01:40``)
and the whole benchmark's (``[bench] run 7/30 ... overall eta 1:02:00``,
from the measured seconds per step of each kind). After every run the
results go atomically to ``<work-dir>/results.json``: the runs (arm,
dataset, split, mIoU, aAcc, per-class IoU, train seconds) and the regime
per (dataset, split): the stage-1 model's per-class IoU and the classes
it never predicts (0 IoU), the few-label baseline, the all-label
reference and their gap. At the end
``tools/analysis_tools/benchmark_report.py`` writes the table (mean +-
std over datasets, per split, wins against the baseline, the EMA
baseline when it ran, classes losing more than 5 IoU) to ``--md`` and
bar plots with error bars next to it.

Usage:
    python tools/benchmark_regime.py [--data-seeds 0 1 2] \
        [--splits 1-8 1-4] [--arms baseline dense_fixmatch ...] \
        [--stage1-iters 1500] [--iters 600] [--work-dir DIR] [--md DOC.md]
    # smoke run
    python tools/benchmark_regime.py --data-seeds 0 --splits 1-8 \
        --arms baseline dense_fixmatch --stage1-iters 2 --iters 2 \
        --log-interval 1 --work-dir /tmp/regime_smoke --no-report
    # the offline DARS rounds only (one tools/dars_rounds.py job per
    # dataset and split; dars_r2 alone still runs round 1)
    python tools/benchmark_regime.py --data-seeds 0 --splits 1-8 \
        --arms baseline dars_r1 dars_r2 --no-all-labels
"""
import argparse
import glob
import os
import os.path as osp
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from types import SimpleNamespace
from typing import Dict, List, Optional

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from benchmark_common import (DATA_STAMP, ROOT, RunFailed,  # noqa: E402
                              fmt_wall, run, run_quiet, train_and_test,
                              write_json_atomic)
from benchmark_learning import (eval_root_opts, has_filter_target,  # noqa
                                is_semi, schedule_opts, seg_test_record,
                                split_opts, train_root_opts)
from benchmark_dars_rounds import round_opts, run_rounds  # noqa: E402
from pretrain_backbone import OUT as PRETRAINED  # noqa: E402
from regime_multitask import (MT_ARMS, MT_LABELS, MT_STAGE1,  # noqa: E402
                              mt_eval_opts, mt_job_opts, mt_regime,
                              mt_summary, mt_test_record, prepare_mt_data,
                              pseudo_boxes_per_img)

CFG_DIR = 'configs/cpu_benchmark/'
STAGE1 = CFG_DIR + 'deeplabv3plus_r18-d16_1xb4-cpu-sup_synthcityscapes.py'
# arm -> stage-2 config; every config keeps the stage-1 checkpoint at
# INIT_KEY (the semi-supervised ones on the inner segmentor, so student
# and EMA teacher both start from it)
ARMS = dict(
    baseline=STAGE1,
    # the supervised baseline evaluated with the EMA of its weights, as the
    # semi-supervised arms are with their EMA teacher
    baseline_ema=CFG_DIR + 'deeplabv3plus_r18-d16_1xb4-cpu-sup-ema_'
    'synthcityscapes.py',
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
    'r18-d16_1xb8-explicit-cpu-stage2_synthcityscapes.py',
    dars_r1=CFG_DIR + 'dars_deeplabv3plus_r18-d16_1xb8-explicit-cpu-'
    'stage2_synthcityscapes.py',
    dars_r2=CFG_DIR + 'dars_deeplabv3plus_r18-d16_1xb8-explicit-cpu-'
    'stage2_synthcityscapes.py',
    # the multi-task arms (tools/regime_multitask.py): from their own
    # multi-task stage 1 ('mt_stage1')
    **MT_ARMS,
    # not in the default arm list: the peers' method, and ablations
    unimatch=CFG_DIR + 'unimatch_deeplabv3plus_r18-d16_1xb8-explicit-cpu-'
    'stage2_synthcityscapes.py',
    dense_fixmatch_geometric=CFG_DIR + 'ablation_dense-fixmatch-geometric-'
    'strong_deeplabv3plus_r18-d16_1xb8-explicit-cpu-stage2_'
    'synthcityscapes.py',
    dense_fixmatch_tau95=CFG_DIR + 'ablation_dense-fixmatch-tau0.95_'
    'deeplabv3plus_r18-d16_1xb8-explicit-cpu-stage2_synthcityscapes.py')
ABLATIONS = ('dense_fixmatch_geometric', 'dense_fixmatch_tau95')
# The peers' answers, measured beside the issue's arms when asked (--arms
# ... unimatch): UniMatch (arXiv:2208.09910) to confirmation bias, Soft
# Teacher's background weighting (arXiv:2106.09018) to the multi-task
# paper's positives-only detection loss
PEERS = ('unimatch', 'mt_fixmatch_star_soft_bg')
OPTIONAL = PEERS + ABLATIONS
# The offline DARS arms: round k of one tools/dars_rounds.py job (arm
# 'dars' in the plan; its round 0 is the stage-1 checkpoint, so its config's
# dars.round0_config must be STAGE1), each round --iters steps.
DARS_ROUNDS = dict(dars_r1=1, dars_r2=2)
DARS_CONFIG = ARMS['dars_r1']
SUPERVISED_INIT_KEY = 'model.init_cfg'
SEMI_INIT_KEY = 'model.segmentor.init_cfg'
LABELS = dict(
    stage1='stage 1 (supervised, few labels)',
    all_labels='supervised, all labels',
    baseline='supervised baseline',
    baseline_ema='supervised baseline, EMA weights',
    dense_fixmatch='Dense FixMatch',
    fixmatch_star='FixMatch*',
    classmix='ClassMix',
    cutmix='CutMix mean teacher',
    cutout='Cutout mean teacher',
    dense_fixmatch_dars='Dense FixMatch + online DARS',
    dars_r1='DARS round 1 (offline)',
    dars_r2='DARS round 2 (offline, 2x steps)',
    unimatch='UniMatch',
    dense_fixmatch_geometric='Dense FixMatch, geometric strong view '
    '(ablation)',
    dense_fixmatch_tau95='Dense FixMatch, tau 0.95 (ablation)',
    **MT_LABELS)
# relative cost of one step (a supervised step = 1), for the overall ETA
# before a kind has been measured (afterwards the measured seconds per step
# of each kind are used). Measured on a 2-core machine on 2026-12-04 from
# the 1500-step stage 1, 600-step arms: a supervised step 0.21 s (stage 1,
# 322 s); a semi-supervised arm's 0.41-0.50 s; a DARS round's 0.46 s with
# its share of the round's pseudo-labeling (2 rounds of 600 steps in
# 553 s); a multi-task supervised step 0.18-0.20 s (4500-step stage 1,
# 816-894 s); a multi-task semi-supervised one 0.49-0.78 s. UniMatch (two
# strong views and the feature-perturbation stream) is a kind of its own:
# 0.72-0.92 s per step (2026-12-05, 433-554 s for 600 steps).
STEP_COST = dict(supervised=1.0, semi=2.1, dars=2.1, mt_supervised=0.9,
                 mt_semi=2.8, unimatch=3.8)
NUM_TRAIN, NUM_VAL = 96, 32
# Every labeled pixel blended half-way towards its class's tint colour (one
# hue per class; tools/gen_datasets.py --class-tint): what makes the 19
# classes learnable in minutes on CPU (docs/cpu_benchmark.md says what this
# makes easy).
CLASS_TINT = 0.5
# Every labeled pixel's class pattern added at this many grey levels
# (tools/gen_datasets.py --class-texture): a second class cue, which the
# strong views' photometric operations keep and the tint's hue does not
# (docs/cpu_benchmark.md).
CLASS_TEXTURE = 32.0
# Poles, traffic lights and signs drawn at least this many pixels across
# (tools/gen_datasets.py --min-thin-px): at their true size a far one is
# 1-3 px, narrower than the texture's 6 px period, so without its hue
# (which the photometric strong views move) it has no class cue left
# (docs/cpu_benchmark.md).
MIN_THIN_PX = 4.0


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data-seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--splits', nargs='+', default=['1-8', '1-4'],
                   help='labeled fractions of the train images (1-8: 1/8)')
    p.add_argument('--arms', nargs='+',
                   default=[a for a in ARMS if a not in OPTIONAL],
                   choices=list(ARMS),
                   help='default: every arm but UniMatch and the ablations '
                   '(%(choices)s)')
    p.add_argument('--stage1-iters', type=int, default=1500,
                   help='steps of stage 1 (default %(default)s: the regime '
                   'of docs/cpu_benchmark.md, where the teacher predicts '
                   'most classes)')
    p.add_argument('--class-tint', type=float, default=CLASS_TINT,
                   help='the data\'s class tint (tools/gen_datasets.py '
                   '--class-tint; default %(default)s)')
    p.add_argument('--class-texture', type=float, default=CLASS_TEXTURE,
                   help='the data\'s class texture in grey levels '
                   '(tools/gen_datasets.py --class-texture; default '
                   '%(default)s; 0: the hue-only data)')
    p.add_argument('--min-thin-px', type=float, default=MIN_THIN_PX,
                   help='poles, traffic lights and signs at least this many '
                   'pixels across (tools/gen_datasets.py --min-thin-px; '
                   'default %(default)s; 0: their true size)')
    p.add_argument('--mt-stage1-iters', type=int, default=4500,
                   help='steps of the multi-task stage 1 (its config\'s '
                   'cpu_mt_stage1_iters)')
    p.add_argument('--num-train', type=int, default=NUM_TRAIN,
                   help='train images per dataset (default %(default)s; '
                   'another count goes to data/cpu_benchmark/data<d>_n<N> '
                   'and tags its runs _n<N>)')
    p.add_argument('--iters', type=int, default=600,
                   help='stage-2 iterations of every arm (default '
                   '%(default)s)')
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
                   help='OMP_NUM_THREADS of the runs (default: inherited; '
                   'with --jobs N the cores divided by N)')
    p.add_argument('--jobs', type=int, default=1,
                   help='runs at once (a run starts when its stage 1 is '
                   'done); the results do not depend on it, only on the '
                   'thread count of each run')
    args = p.parse_args(argv)
    if args.jobs < 1:
        p.error(f'--jobs must be >= 1, got {args.jobs}')
    for split in args.splits:
        den = int(split.split('-')[1]) if split.count('-') == 1 and \
            split.split('-')[1].isdigit() else 0
        if not den or args.num_train % den:
            p.error(f'--splits {split}: expected 1-<k> with k dividing '
                    f'--num-train {args.num_train}')
    return args


def data_name(data_seed: int, num_train: int = NUM_TRAIN) -> str:
    """``data<seed>``, with ``_n<num_train>`` when not the default 96:
    the folder under ``data/cpu_benchmark`` and the tag of its runs. The
    generator draws image k of a seed the same whatever the count, so
    ``data0_n384`` holds ``data0``'s 96 train images (and its val set)
    plus 288 more."""
    tag = '' if num_train == NUM_TRAIN else f'_n{num_train}'
    return f'data{data_seed}{tag}'


def run_name(data_seed: int, num_train: int, seed: int) -> str:
    """The tag of a dataset's runs in their work-dir names: the data name,
    with ``_seed<seed>`` for a training seed other than 0, so that runs of
    another training seed are never taken for finished runs of seed 0
    (finished runs are recognised by their checkpoint's path)."""
    return data_name(data_seed, num_train) + (f'_seed{seed}' if seed else '')


def data_root(data_seed: int, num_train: int = NUM_TRAIN) -> str:
    return f'data/cpu_benchmark/{data_name(data_seed, num_train)}/cityscapes/'


def split_dir(split: str) -> str:
    return f'splits/{split}/split0'


def prepare_data(py: str, data_seed: int, splits: List[str],
                 multitask: bool = False, class_tint: float = CLASS_TINT,
                 class_texture: float = CLASS_TEXTURE,
                 min_thin_px: float = MIN_THIN_PX,
                 num_train: int = NUM_TRAIN) -> str:
    """Generate one dataset (idempotent; made again when the class cues
    change) and its splits (``multitask``: also its boxes and multi-task
    splits); its root."""
    root = data_root(data_seed, num_train)
    fractions = [s.replace('-', '/') for s in splits]
    run_quiet([[py, 'tools/gen_datasets.py', '--out',
                f'data/cpu_benchmark/{data_name(data_seed, num_train)}',
                '--dataset',
                'cityscapes', '--seed', str(data_seed), '--num-train',
                str(num_train), '--num-val', str(NUM_VAL), '--num-extra',
                '0', '--class-tint', str(class_tint), '--class-texture',
                str(class_texture), '--min-thin-px', str(min_thin_px)],
               [py, 'tools/make_splits.py', '--dataset', 'cityscapes',
                '--data-root', root, '--fractions', *fractions,
                '--num-splits', '1']], data_seed, last=len(splits) + 1)
    if multitask:
        prepare_mt_data(py, root, splits, num_train)
    return root


def retrain_after(job: 'Job', records: Dict[str, dict],
                  backbone: Optional[str]) -> Optional[str]:
    """The file a finished run must be newer than to be reused: a stage-2
    run's stage-1 checkpoint; for stage 1 and the all-label run, the newer
    of the pretrained backbone and the dataset's stamp (data made again,
    e.g. with another tint palette, retrains them and so every arm)."""
    if job.needs:
        return osp.join(ROOT, records[job.needs]['checkpoint'])
    return newest(backbone, data_stamp(job))


def data_stamp(job: 'Job') -> str:
    """The generator's stamp of the job's dataset: rewritten whenever the
    data is made again (e.g. another tint palette)."""
    return osp.join(ROOT, data_root(job.data_seed, job.num_train),
                    DATA_STAMP)


def newest(*paths: Optional[str]) -> Optional[str]:
    """The most recently modified of the existing ``paths`` (None if
    none exists)."""
    found = [p for p in paths if p and osp.isfile(p)]
    return max(found, key=osp.getmtime) if found else None


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
    # the 'dars' job: its rounds (each ``iters`` steps) and round-0 model
    rounds: int = 0
    round0: Optional[str] = None
    task: str = 'seg'  # or 'multitask' (tools/regime_multitask.py)
    num_train: int = NUM_TRAIN  # images of its dataset's train set

    @property
    def key(self) -> str:
        return f'data{self.data_seed} {self.split or "all"} {self.arm}'

    @property
    def kind(self) -> str:
        if self.rounds:
            return 'dars'
        if self.arm == 'unimatch':  # its own cost per step (STEP_COST)
            return self.arm
        kind = 'semi' if self.semi else 'supervised'
        return 'mt_' + kind if self.task == 'multitask' else kind

    @property
    def steps(self) -> int:
        """Training steps of the whole job (every round of 'dars')."""
        return self.iters * max(self.rounds, 1)

    @property
    def cost(self) -> float:
        return self.steps * STEP_COST[self.kind]


def check_dars_round0(config: str = DARS_CONFIG) -> None:
    """The DARS config's round 0 is the stage-1 config (else the stage-1
    checkpoint is no round 0 of it)."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(ROOT, config),
                          import_custom_modules=False)
    r0 = osp.normpath(osp.join(osp.dirname(osp.join(ROOT, config)),
                               cfg.dars.round0_config))
    if r0 != osp.normpath(osp.join(ROOT, STAGE1)):
        raise ValueError(f'{config}: dars.round0_config {r0} is not the '
                         f'stage-1 config {STAGE1}')


def plan(args) -> List[Job]:
    """Every run in order: per dataset the all-label reference, then per
    split stage 1 and its arms."""
    jobs, wd = [], args.work_dir
    mt_arms = [a for a in args.arms if a in MT_ARMS]
    arms = [a for a in args.arms if a not in DARS_ROUNDS and
            a not in MT_ARMS]
    semi = {a: is_semi(ARMS[a]) for a in arms}
    target = {a: has_filter_target(ARMS[a]) for a in arms}
    # one DARS job for every selected round (round 2 needs round 1), where
    # the first DARS arm is in --arms
    dars_rounds = max([DARS_ROUNDS[a] for a in args.arms
                       if a in DARS_ROUNDS], default=0)
    first_dars = next((a for a in args.arms if a in DARS_ROUNDS), None)
    if dars_rounds:
        check_dars_round0()
    seed = [f'randomness.seed={args.seed}']
    logs = [f'default_hooks.logger.interval={args.log_interval}']
    n1, n2 = args.stage1_iters, args.iters
    # the backbone of the runs that start from it (the arms start from
    # stage 1; a semi-supervised model has no 'pretrained' of its own)
    backbone = ([f'model.pretrained={args.pretrained}']
                if args.pretrained else [])
    nt = dict(num_train=args.num_train)
    for d in args.data_seeds:
        root = data_root(d, args.num_train)
        name = run_name(d, args.num_train, args.seed)
        if not args.no_all_labels:
            jobs.append(Job(
                'all_labels', d, '', STAGE1, n1 + n2,
                osp.join(wd, f'all_labels_{n1 + n2}i_{name}'), **nt,
                opts=schedule_opts(n1 + n2) + seed + backbone + logs +
                ['train_dataloader.dataset.ann_file='] +
                train_root_opts(False, root)))
        for split in args.splits:
            sd = split_dir(split)
            s1 = Job('stage1', d, split, STAGE1, n1,
                     osp.join(wd, f'stage1_{n1}i_{name}_{split}'), **nt,
                     opts=schedule_opts(n1) + seed + backbone + logs +
                     split_opts(False, sd) + train_root_opts(False, root))
            jobs.append(s1)
            ckpt = osp.join(s1.work_dir, f'iter_{n1}.pth')
            for arm in args.arms:
                if arm == first_dars:
                    jobs.append(Job(
                        'dars', d, split, DARS_CONFIG, n2,
                        osp.join(wd, f'dars_{n1}i_{n2}i_{name}_{split}'),
                        **nt, semi=True, needs=s1.key, rounds=dars_rounds,
                        round0=ckpt,
                        opts=round_opts(root, sd, args.seed, n2,
                                        args.log_interval)))
                if arm in DARS_ROUNDS or arm in MT_ARMS:
                    continue
                key = SEMI_INIT_KEY if semi[arm] else SUPERVISED_INIT_KEY
                jobs.append(Job(
                    arm, d, split, ARMS[arm], n2,
                    osp.join(wd, f'{arm}_{n1}i_{n2}i_{name}_{split}'),
                    **nt, semi=semi[arm], needs=s1.key,
                    opts=schedule_opts(n2) + seed + logs +
                    split_opts(semi[arm], sd, target[arm]) +
                    train_root_opts(semi[arm], root, target[arm]) +
                    [f'{key}.type=Pretrained', f'{key}.checkpoint={ckpt}']))
            if mt_arms:
                jobs += plan_multitask(args, d, split, mt_arms, logs)
    return jobs


def plan_multitask(args, d: int, split: str, arms: List[str],
                   logs: List[str]) -> List[Job]:
    """The multi-task stage 1 of one (dataset, split) and its arms."""
    root, wd = data_root(d, args.num_train), args.work_dir
    name = run_name(d, args.num_train, args.seed)
    nt = dict(num_train=args.num_train)
    regime = mt_regime(split, args.num_train)
    n1, n2 = args.mt_stage1_iters, args.iters
    common = [f'randomness.seed={args.seed}'] + logs
    s1_opts = common + ([f'model.backbone.init_cfg.checkpoint='
                         f'{args.pretrained}'] if args.pretrained else [])
    s1 = Job('mt_stage1', d, split, MT_STAGE1, n1,
             osp.join(wd, f'mt_stage1_{n1}i_{name}_{split}'), **nt,
             task='multitask',
             opts=mt_job_opts('mt_stage1', False, root, regime, n1, s1_opts))
    jobs = [s1]
    ckpt = osp.join(s1.work_dir, f'iter_{n1}.pth')
    for arm in arms:
        semi = is_semi(MT_ARMS[arm])
        jobs.append(Job(
            arm, d, split, MT_ARMS[arm], n2,
            osp.join(wd, f'{arm}_{n1}i_{n2}i_{name}_{split}'), **nt,
            semi=semi, needs=s1.key, task='multitask',
            opts=mt_job_opts(arm, semi, root, regime, n2, common, ckpt)))
    return jobs


class Eta:
    """Overall ETA from the measured seconds per step of each kind."""

    def __init__(self, jobs: List[Job]):
        self.left = {j.key: j for j in jobs}
        self.secs = {k: [] for k in STEP_COST}

    def done(self, job: Job, rec: dict) -> None:
        self.left.pop(job.key, None)
        secs = rec.get('train_secs')
        if secs and secs == secs and not rec.get('reused'):
            test = rec.get('test_secs')
            self.secs[job.kind].append(
                (secs + (test if test == test and test else 0)) / job.steps)

    def remaining(self) -> Optional[float]:
        per = {k: statistics.mean(v) for k, v in self.secs.items() if v}
        if not per:
            return None
        # a kind not measured yet: the measured ones scaled by step costs
        unit = statistics.mean(v / STEP_COST[k] for k, v in per.items())
        per = {k: per.get(k, unit * STEP_COST[k]) for k in STEP_COST}
        return sum(j.steps * per[j.kind] for j in self.left.values())


class _Quiet:
    """run_rounds' progress sink (the regime prints its own ETA)."""

    def step(self, what):
        pass


def dars_round_dir(job: Job, k: int) -> str:
    return osp.join(job.work_dir, f'round{k}')


def clear_stale_rounds(job: Job, round0: str, force: bool) -> None:
    """Remove the rounds tools/dars_rounds.py would wrongly reuse: with
    ``force``, or from the first round whose pseudo-labels or checkpoint
    are older than the model they come from (round 0: ``round0``, the
    stage-1 checkpoint), on; after a round without its checkpoint, every
    later one."""
    prev = osp.getmtime(round0)
    redo = force
    for k in range(1, job.rounds + 1):
        rdir = osp.join(ROOT, dars_round_dir(job, k))
        ckpt = osp.join(rdir, f'iter_{job.iters}.pth')
        done = [f for f in (osp.join(rdir, 'pseudo_labels', 'summary.json'),
                            ckpt) if osp.isfile(f)]
        redo = redo or any(osp.getmtime(f) < prev for f in done)
        if redo and osp.isdir(rdir):
            print(f'[bench] {job.key}: redoing round {k} (older than its '
                  'round-0 or previous round, or --force)', flush=True)
            shutil.rmtree(rdir)
        if not osp.isfile(ckpt):
            redo = True  # a later round would start from an older one
        else:
            prev = osp.getmtime(ckpt)


def evaluate_checkpoint(label: str, config: str, ckpt: str, work_dir: str,
                        test_opts: List[str]) -> dict:
    """tools/test.py on ``ckpt`` (log ``<work_dir>.test.log``); a test
    log newer than the checkpoint is reused."""
    log = osp.join(ROOT, work_dir + '.test.log')
    if osp.isfile(log) and osp.getmtime(log) > osp.getmtime(
            osp.join(ROOT, ckpt)):
        with open(log) as f:
            try:
                rec = seg_test_record(f.read())
                print(f'[bench] {label}: reusing its test ({log})',
                      flush=True)
                return dict(rec, test_secs=float('nan'))
            except (IndexError, AttributeError, ValueError):
                pass
    print(f'[bench] {label}: testing', flush=True)
    t0 = time.time()
    rec = seg_test_record(run(
        [sys.executable, 'tools/test.py', config, ckpt, '--work-dir',
         osp.join(work_dir, 'test'), '--cfg-options', *test_opts], log))
    return dict(rec, test_secs=time.time() - t0)


def run_dars(job: Job, round0: str, arms: List[str], force: bool):
    """The offline DARS job: ``tools/dars_rounds.py`` for ``job.rounds``
    rounds from ``round0`` (finished steps reused, stale ones redone), then
    each round's final checkpoint tested. Returns ``[(arm, record, steps
    after stage 1, work dir)]`` for the rounds of ``arms`` and the job's
    timing for the overall ETA (every round, tested or not)."""
    clear_stale_rounds(job, osp.join(ROOT, round0), force)
    steps = run_rounds(SimpleNamespace(config=job.config, rounds=job.rounds),
                       job.work_dir, job.key, osp.join(ROOT, round0),
                       job.opts, _Quiet())
    out, timing = [], dict(train_secs=0.0, test_secs=0.0, reused=True)
    for k in range(1, job.rounds + 1):
        rdir = dars_round_dir(job, k)
        ckpt = osp.join(rdir, f'iter_{job.iters}.pth')
        mine = [x for x in steps if x['step'] in (
            f'round{k} pseudo-labels', f'round{k} train')]
        secs_file = osp.join(ROOT, rdir, 'bench_train_secs.txt')
        trained = any(x['step'] == f'round{k} train' for x in mine)
        if trained:  # pseudo-labeling + training of this round
            secs = sum(x['secs'] for x in mine)
            with open(secs_file, 'w') as f:
                f.write(f'{secs:.1f}\n')
        else:
            try:
                with open(secs_file) as f:
                    secs = float(f.read())
            except (OSError, ValueError):
                secs = float('nan')
        timing['train_secs'] += secs
        timing['reused'] &= not trained
        arm = f'dars_r{k}'
        if arm not in arms:
            continue
        rec = evaluate_checkpoint(
            f'{job.key} round {k}', job.config, ckpt, rdir,
            eval_root_opts(data_root(job.data_seed, job.num_train)))
        rec.update(train_secs=secs, reused=not trained, checkpoint=ckpt)
        timing['test_secs'] += rec['test_secs']
        out.append((arm, rec, job.iters * k, rdir))
    return out, timing


def regime_summary(records: Dict[str, dict], args) -> Dict[str, dict]:
    """Per (dataset, split): what makes it the papers' regime or not. The
    few-label reference is the supervised baseline, or, when only the EMA
    baseline ran (the main job), that one (``baseline_arm`` says which)."""
    out = {}
    for d in args.data_seeds:
        full = records.get(f'data{d} all all_labels')
        for split in args.splits:
            s1 = records.get(f'data{d} {split} stage1')
            base_arm = next((a for a in ('baseline', 'baseline_ema')
                             if f'data{d} {split} {a}' in records), None)
            base = base_arm and records[f'data{d} {split} {base_arm}']
            if not s1:
                continue
            iou = s1.get('per_class_iou') or {}
            entry = dict(
                stage1_mIoU=s1.get('mIoU'),
                stage1_per_class_iou=iou,
                never_predicted=[c for c, v in iou.items() if not v],
                weak_classes=[c for c, v in iou.items() if v and v < 10],
                baseline_arm=base_arm,
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
              f'({", ".join(e["never_predicted"]) or "none"})  '
              f'{e.get("baseline_arm") or "baseline"} '
              f'{e["baseline_mIoU"] or float("nan"):6.2f}  all labels '
              f'{e["all_labels_mIoU"] or float("nan"):6.2f}  gap '
              f'{head if head is not None else float("nan"):+6.2f}')


def print_mt_rows(runs: List[dict], n1: int, n2: int) -> None:
    """The multi-task arms of one split: mIoU, bbox mAP, mAP50 (mean
    over datasets) and the pseudo-boxes per image in training (teacher
    boxes >= 0.5 kept in the strong view)."""
    arms = [a for a in ['mt_stage1', *MT_ARMS]
            if any(r['arm'] == a for r in runs)]
    if not arms:
        return
    print(f'{"multi-task (setting d)":44s} {"steps":>9s} {"mIoU":>7s} '
          f'{"mAP":>7s} {"mAP50":>7s} {"pseudo-boxes/img":>16s}')
    for arm in arms:
        rs = [r for r in runs if r['arm'] == arm]
        cells = [statistics.mean(r.get(k, float('nan')) for r in rs)
                 for k in ('mIoU', 'bbox_mAP', 'bbox_mAP_50',
                           'pseudo_boxes_per_img')]
        steps = f'{n1}' if arm == 'mt_stage1' else f'{n1}+{n2}'
        print(f'{LABELS[arm][:44]:44s} {steps:>9s} ' + ' '.join(
            f'{c:7.2f}' for c in cells[:3]) + f' {cells[3]:16.2f}')


def seg_reference(arms: List[str]) -> str:
    """The arm the report compares the segmentation arms with: the EMA
    baseline when it ran (the semi-supervised arms are evaluated with
    their EMA teacher, so only it is a like-for-like reference), else the
    plain baseline."""
    return 'baseline_ema' if 'baseline_ema' in arms else 'baseline'


def mt_reference(arms: List[str]) -> str:
    """The multi-task arms' reference, by the same rule: the EMA-evaluated
    multi-task baseline when it ran, else the plain one."""
    return 'mt_baseline_ema' if 'mt_baseline_ema' in arms else 'mt_baseline'


def print_table(runs: List[dict], args, wall: float) -> None:
    """The at-a-glance table: per arm the mIoU / aAcc (mean +- std over
    datasets when there are several) per split, few labels -> all labels."""
    seg_arms = [a for a in args.arms if a not in MT_ARMS]
    semi = {r['arm'] for r in runs if r.get('semi')}
    # few labels, then semi-supervised, then all labels, whatever order
    # --arms ran them in
    order = ['stage1', 'baseline'] + sorted(
        [a for a in seg_arms if a != 'baseline'],
        key=lambda a: a in semi) + ['all_labels']
    n1, n2 = args.stage1_iters, args.iters
    steps = dict(stage1=f'{n1}', all_labels=f'{n1 + n2}',
                 **{a: f'{n1}+{k * n2}' for a, k in DARS_ROUNDS.items()})
    for split in args.splits:
        num = round(args.num_train / int(split.split('-')[1]))
        print(f'\n{num} of {args.num_train} train images labeled ({split}), '
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
                f' (+{args.num_train - num} unlabeled)'
                if any(r.get('semi') for r in rs) else '')
            print(f'{label[:44]:44s} {steps.get(arm, f"{n1}+{n2}"):>9s} '
                  f'{cells[0]:>13s} {cells[1]:>13s}')
        print_mt_rows([r for r in runs if r['split'] == split],
                      args.mt_stage1_iters, n2)
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


def execute(job: Job, records: Dict[str, dict], args,
            backbone: Optional[str]):
    """Train and test one planned run (finished ones reused). Returns
    ``[(arm, record, steps after stage 1, work dir)]`` and the timing for
    the overall ETA."""
    older = retrain_after(job, records, backbone)
    if job.rounds:  # one record per DARS round of --arms
        return run_dars(job, records[job.needs]['checkpoint'], args.arms,
                        args.force)
    if job.task == 'multitask':
        rec = train_and_test(
            job.key, job.config, job.work_dir, job.iters, job.opts,
            mt_eval_opts(data_root(job.data_seed, job.num_train)),
            args.force, older,
            parse=mt_test_record)
        rec['pseudo_boxes_per_img'] = pseudo_boxes_per_img(
            job.work_dir + '.train.log')
    else:
        rec = train_and_test(
            job.key, job.config, job.work_dir, job.iters, job.opts,
            eval_root_opts(data_root(job.data_seed, job.num_train)),
            args.force, older,
            parse=seg_test_record)
    return [(job.arm, rec, job.iters, job.work_dir)], rec


def next_ready(pending: List[Job], records: Dict[str, dict],
               failed_keys: set) -> Optional[Job]:
    """The first job of ``pending`` (plan order) that can start now: its
    stage 1 is finished, or it has none; a job whose stage 1 failed is
    returned too (it is then skipped)."""
    for job in pending:
        if not job.needs or job.needs in records or job.needs in failed_keys:
            return job
    return None


def main(argv=None):
    args = parse_args(argv)
    t_start = time.time()
    if args.threads or args.jobs > 1:
        # each of --jobs runs gets its share of the cores
        os.environ['OMP_NUM_THREADS'] = str(
            args.threads or max(1, (os.cpu_count() or 1) // args.jobs))
    py = sys.executable
    if not args.pretrained:
        print('[bench] pretrained backbone (tools/pretrain_backbone.py)',
              flush=True)
        # its own progress lines go straight to the console
        subprocess.run([py, 'tools/pretrain_backbone.py'], cwd=ROOT,
                       check=True)
    # what tools/pretrain_backbone.py builds (cpu_pretrained of the configs)
    backbone = osp.join(ROOT, args.pretrained or PRETRAINED)
    backbone = backbone if osp.isfile(backbone) else None
    jobs = plan(args)
    eta = Eta(jobs)
    work_root = osp.join(ROOT, args.work_dir)
    os.makedirs(work_root, exist_ok=True)
    results_path = osp.join(work_root, args.results_name)
    records: Dict[str, dict] = {}
    by_job: Dict[int, List[dict]] = {}  # plan index -> its runs
    failed, failed_keys = [], set()
    settings = dict(vars(args), stage1_config=STAGE1, configs=ARMS,
                    num_val=NUM_VAL)

    def runs_in_plan_order():
        return [r for k in sorted(by_job) for r in by_job[k]]

    def save(done=False):
        write_json_atomic(results_path, dict(
            settings=settings, regime=regime_summary(records, args),
            multitask_regime=mt_summary(records, args.data_seeds,
                                        args.splits),
            runs=runs_in_plan_order(), failed=failed, complete=done,
            wall_secs=time.time() - t_start))

    def fail(job, error):
        failed.append(dict(run=job.key, error=error))
        failed_keys.add(job.key)
        eta.done(job, {})

    def finished(k, job, done, timing):
        eta.done(job, timing)
        for arm, rec, iters, work_dir in done:
            key = f'data{job.data_seed} {job.split or "all"} {arm}'
            records[key] = rec
            # the all-label reference is one run per dataset, shown in
            # every split's column
            det = {k: rec[k] for k in ('bbox_mAP', 'bbox_mAP_50',
                                       'pseudo_boxes_per_img') if k in rec}
            for split in ([job.split] if job.split else args.splits):
                by_job.setdefault(k, []).append(dict(
                    det, arm=arm, data_seed=job.data_seed, split=split,
                    seed=args.seed, task=job.task, mIoU=rec['mIoU'],
                    aAcc=rec['aAcc'], per_class=rec['per_class_iou'],
                    train_secs=rec['train_secs'],
                    test_secs=rec['test_secs'], reused=rec['reused'],
                    semi=job.semi, config=job.config, work_dir=work_dir,
                    iters=iters))
            print(f'[bench] {key}: mIoU {rec["mIoU"]:.2f} aAcc '
                  f'{rec["aAcc"]:.2f}' + ''.join(
                      f' {k} {v:.2f}' for k, v in det.items()), flush=True)

    for d in dict.fromkeys(j.data_seed for j in jobs):
        prepare_data(py, d, args.splits,
                     multitask=any(a in MT_ARMS for a in args.arms),
                     class_tint=args.class_tint,
                     class_texture=args.class_texture,
                     min_thin_px=args.min_thin_px,
                     num_train=args.num_train)
    index = {job.key: k for k, job in enumerate(jobs, 1)}
    pending, running = list(jobs), {}
    errors = (RunFailed, IndexError, AttributeError)
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        while pending or running:
            job = next_ready(pending, records, failed_keys)
            if job is not None and len(running) < args.jobs:
                pending.remove(job)
                k = index[job.key]
                if job.needs in failed_keys:
                    print(f'[bench] {job.key}: skipped ({job.needs} '
                          'failed)', flush=True)
                    fail(job, f'no {job.needs}')
                    continue
                left = eta.remaining()
                left = fmt_wall(left / args.jobs) if left is not None \
                    else '?'
                rounds = (f' in {job.rounds} rounds of {job.iters}'
                          if job.rounds else '')
                print(f'\n[bench] run {k}/{len(jobs)}: {job.key} '
                      f'({job.steps} steps{rounds}); elapsed '
                      f'{fmt_wall(time.time() - t_start)}, overall eta '
                      f'{left}', flush=True)
                running[pool.submit(execute, job, records, args,
                                    backbone)] = (k, job)
                continue
            if not running:  # what is left needs a run never planned
                for job in pending:
                    fail(job, f'no {job.needs}')
                break
            for fut in wait(running, return_when=FIRST_COMPLETED).done:
                k, job = running.pop(fut)
                try:
                    done, timing = fut.result()
                except errors + ((OSError,) if job.rounds else ()) as e:
                    print(f'[bench] {job.key}: FAILED\n{e}', flush=True)
                    fail(job, str(e))
                else:
                    finished(k, job, done, timing)
                save()
    runs = runs_in_plan_order()
    regime = regime_summary(records, args)
    print_regime(regime)
    print_table(runs, args, time.time() - t_start)
    save(done=not failed)
    if not args.no_report:
        from analysis_tools.benchmark_report import write_report
        extra = ['stage1', 'all_labels'] + (
            ['mt_stage1'] if any(a in MT_ARMS for a in args.arms) else [])
        arms = {a: LABELS[a] for a in [*extra, *args.arms]}
        out = write_report(
            results_path, args.md,
            osp.splitext(args.md)[0], arms=arms, labels=arms,
            reference=dict(seg=seg_reference(args.arms),
                           multitask=mt_reference(args.arms)),
            extra=extra,
            title='CPU benchmark in the papers\' regime')
        print(f'[bench] report: {out["md"]} ' + ' '.join(out['png']))
    wall = time.time() - t_start
    print(f'\n[bench] {len(jobs) - len(failed)}/{len(jobs)} runs done, '
          f'total wall time {fmt_wall(wall)}; results in '
          f'{osp.join(args.work_dir, args.results_name)}', flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

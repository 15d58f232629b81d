"""Time the mmssl UniMatch training step against the official one on CPU.

Runs the OFFICIAL UniMatch training loop (LiheYoung/UniMatch,
``unimatch.py``) from a checkout the user made (``--official-repo``; none
of its code is copied here) and the mmssl UniMatch step on the same model
size (DeepLabv3+ on a ResNet of ``--depth``), the same crop and the same
batch (``--batch`` labeled + ``--batch`` unlabeled), and reports both
median step times, their ratio and the mmssl-specific share of the mmssl
step (``tools/benchmark_common.py``'s definition, through its profiler
harness).

The official side is the unmodified ``unimatch.main()``, imported from the
checkout and run in a subprocess whose working directory is a temporary
folder. Only these patches are applied, from outside, to run it on one
CPU process: ``Tensor.cuda`` / ``Module.cuda`` are no-ops; the process
group is a 1-process gloo group (``setup_distributed`` sees one "GPU");
``SyncBatchNorm.convert_sync_batchnorm`` is the identity (1-process SyncBN
is BN; SyncBN refuses CPU tensors); ``DistributedDataParallel`` gets no
``device_ids`` (a CPU module); ``torch.load`` of ``pretrained/*.pth``
returns an empty state dict (random init: no ImageNet weights can be
downloaded, and ``load_state_dict(strict=False)`` keeps the init);
``torch.utils.tensorboard.SummaryWriter`` is a no-op stand-in when
tensorboard is not installed. Time is taken from outside: ``unimatch.SGD``
is a subclass whose ``step`` records a timestamp (an iteration = the time
between two optimizer steps) and ``unimatch.DataLoader`` a subclass whose
iterators record the time spent waiting for batches; after ``--warmup`` +
``--iters`` steps the wrapped ``step`` raises a private exception, which
ends the run. The official code also needs ``torchvision`` (its data
pipeline) and PyYAML: ``--official-path DIR`` adds folders to its
``sys.path`` (e.g. a ``pip install --target DIR --no-deps torchvision``);
a torchvision whose compiled ops do not load with this torch (a CUDA
build next to a CPU torch) gets its meta registrations skipped (the
official uses ``torchvision.transforms`` only). ``--official-no-ddp`` (a
diagnostic, not the official setup) leaves the model unwrapped to show
what the 1-process DDP costs.

The mmssl side builds ``--config`` (default: the UniMatch VOC 92 config,
``configs/_base_/models/unimatch_deeplabv3plus_r101-d16.py``) with the
backbone depth, crop and batch overridden, its real two-view pipeline and
optimizer (``benchmark_common.build_step_setup``) and times
``benchmark_common.train_iteration`` the same way (timestamps after each
iteration, waits on the data iterator). Without the profiler; one extra
profiled run (``--profile-iters``, with Python stacks) gives the share.

Both read the same generated Pascal VOC-format images (``tools/
gen_datasets.py``, long side 500 like VOC, ``--data-dir``): the official
from its id lists (``JPEGImages/x.jpg SegmentationClass/x.png``), mmssl
from ``tools/make_splits.py``'s split. The two measurements alternate
(official, mmssl, official, mmssl, ... ``--rounds`` times), each in a fresh
process, so background load hits both alike. Reported per side: the
median, quartiles and range of the per-iteration times pooled over the
rounds, and the per-round medians; the ratio mmssl / official of the
medians, of the whole iteration and of the iteration minus the data
waits ("compute"). A model-only control (``--model-reps`` forward +
backward passes of each side's network, train mode, 2 x batch images at
the crop) shows how much of the ratio is the two DeepLabv3+ variants
themselves. Results go to ``--out`` (JSON, written atomically).

On a machine whose cores are shared, use one thread on both sides
(``--threads 1``, ``OMP_NUM_THREADS=1``): with more threads than free
cores every small op waits for the other OpenMP threads, which weighs on
the side with more small ops.

Usage (CPU; the official checkout at /tmp/UniMatch, torchvision for it in
/tmp/official_deps; the measured figures are in docs/unimatch.md):
    OMP_NUM_THREADS=1 python tools/benchmark_step_official_unimatch.py \
        --official-repo /tmp/UniMatch --official-path /tmp/official_deps \
        --depth 50 --crop 225 --batch 2 --rounds 4 --iters 4 --warmup 2 \
        --threads 1 --out work_dirs/bench_official_unimatch.json
"""
import argparse
import json
import os
import os.path as osp
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Callable, Dict, Iterable, List, Optional

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import benchmark_common as bc  # noqa: E402

ROOT = bc.ROOT
DEFAULT_CONFIG = ('configs/unimatch/unimatch_deeplabv3plus_r101-d16_4xb4-'
                  'explicit-80e_voc12-92-321x321.py')
#: VOC classes (the configs' and the official pascal.yaml's nclass)
NUM_CLASSES = 21
SIDES = ('official', 'mmssl')


class StopBenchmark(Exception):
    """Raised from the wrapped optimizer step once enough iterations ran:
    ends the official training loop from outside."""


class StepTimer:
    """Iteration times taken from outside a training loop.

    :meth:`mark` is called once per iteration, at the same point of each
    (after the optimizer step): an iteration's time is the time between
    two marks, so the first mark only starts the clock and ``warmup``
    (>= 1) marks pass before the timed ones. :meth:`wrap_iterator` wraps
    a data iterator: the time spent in its ``next`` between two marks is
    that iteration's data wait. After ``warmup + iters`` marks, ``mark``
    raises :class:`StopBenchmark` (``stop=True``) or sets ``done``.
    """

    def __init__(self, iters: int, warmup: int = 1,
                 clock: Callable[[], float] = time.perf_counter,
                 stop: bool = True):
        if warmup < 1:
            raise ValueError('warmup must be >= 1: the first iteration '
                             'only starts the clock')
        if iters < 1:
            raise ValueError('iters must be >= 1')
        self.iters, self.warmup, self.clock, self.stop = (iters, warmup,
                                                          clock, stop)
        self.marks = 0
        self.last: Optional[float] = None
        self.pending_data = 0.0
        self.totals: List[float] = []
        self.data: List[float] = []
        self.done = False

    def mark(self) -> None:
        now = self.clock()
        if self.marks >= self.warmup:
            self.totals.append(now - self.last)
            self.data.append(self.pending_data)
        self.marks += 1
        self.last, self.pending_data = now, 0.0
        if self.marks >= self.warmup + self.iters:
            self.done = True
            if self.stop:
                raise StopBenchmark()

    def wrap_iterator(self, it: Iterable):
        it = iter(it)
        while True:
            t = self.clock()
            try:
                item = next(it)
            except StopIteration:
                return
            self.pending_data += self.clock() - t
            yield item

    def wrap_optimizer(self, optimizer):
        """Make ``optimizer.step`` mark the end of an iteration (after the
        real step); returns the optimizer."""
        step = optimizer.step

        def timed_step(*args, **kwargs):
            out = step(*args, **kwargs)
            self.mark()
            return out

        optimizer.step = timed_step
        return optimizer

    @property
    def compute(self) -> List[float]:
        return [t - d for t, d in zip(self.totals, self.data)]


# ============================================================ statistics
def _quantile(values: List[float], q: float) -> float:
    """Linear-interpolation quantile (numpy's default)."""
    vals = sorted(values)
    if not vals:
        return float('nan')
    pos = q * (len(vals) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(vals) - 1)
    return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)


def spread(values: List[float]) -> dict:
    """Median, quartiles, range and count of per-iteration times."""
    if not values:
        return dict(n=0, median=float('nan'), p25=float('nan'),
                    p75=float('nan'), min=float('nan'), max=float('nan'))
    return dict(n=len(values), median=statistics.median(values),
                p25=_quantile(values, 0.25), p75=_quantile(values, 0.75),
                min=min(values), max=max(values))


def summarise(rounds: Dict[str, List[dict]]) -> dict:
    """``{side: [round, ...]}`` with each round's ``totals`` / ``data``
    (seconds per timed iteration) -> per side the pooled spread of the
    iteration and of the compute (iteration - data wait) and the per-round
    medians; ``ratio``: mmssl median / official median (``total``,
    ``compute``) and the ratios of the rounds paired in order."""
    out = {}
    for side, rs in rounds.items():
        totals = [t for r in rs for t in r['totals']]
        compute = [t - d for r in rs for t, d in zip(r['totals'], r['data'])]
        out[side] = dict(
            total=spread(totals), compute=spread(compute),
            round_medians=[statistics.median(r['totals']) for r in rs
                           if r['totals']],
            round_compute_medians=[
                statistics.median([t - d for t, d in zip(r['totals'],
                                                         r['data'])])
                for r in rs if r['totals']])
    ratio = {}
    if all(s in out for s in SIDES):
        o, m = out['official'], out['mmssl']
        for key in ('total', 'compute'):
            ratio[key] = m[key]['median'] / o[key]['median']
        ratio['per_round'] = [
            mm / oo for oo, mm in zip(o['round_medians'], m['round_medians'])]
        ratio['per_round_compute'] = [
            mm / oo for oo, mm in zip(o['round_compute_medians'],
                                      m['round_compute_medians'])]
    out['ratio'] = ratio
    return out


def alternation(rounds: int) -> List[str]:
    """The order of the measurements: official, mmssl, official, ..."""
    return [side for _ in range(rounds) for side in SIDES]


# ============================================================ data
def official_id_lines(ids: Iterable[str], labeled: bool) -> List[str]:
    """The official pascal id-list lines of VOC ids: image and mask path
    relative to the VOC root (unlabeled: the SBD-style aug masks, as the
    official splits/pascal/*/unlabeled.txt)."""
    masks = 'SegmentationClass' if labeled else 'SegmentationClassAug'
    return [f'JPEGImages/{i}.jpg {masks}/{i}.png' for i in ids]


def official_config(args) -> dict:
    """The official yaml config (as JSON, which yaml reads): pascal.yaml
    with the benchmark's crop, batch and depth."""
    return dict(
        dataset='pascal', nclass=NUM_CLASSES, crop_size=args.crop,
        data_root=args.voc_root, epochs=80, batch_size=args.batch,
        lr=0.001, lr_multi=10.0,
        criterion=dict(name='CELoss', kwargs=dict(ignore_index=255)),
        conf_thresh=0.95, model='deeplabv3plus',
        backbone=f'resnet{args.depth}',
        replace_stride_with_dilation=[False, False, True],
        dilations=[6, 12, 18])


def prepare_data(args) -> None:
    """Generate the VOC-format data (once: gen_datasets' stamp), the mmssl
    split (make_splits) and the official id lists + val list."""
    root = osp.join(args.data_dir, 'VOCdevkit', 'VOC2012')
    args.voc_root = root
    split = osp.join(root, 'splits', str(args.num_labeled), 'split0')
    args.split_dir = split
    py = sys.executable
    subprocess.run([py, 'tools/gen_datasets.py', '--out', args.data_dir,
                    '--dataset', 'voc', '--seed', '0', '--voc-size', '500',
                    '375', '--num-train', str(args.num_train), '--num-val',
                    '2', '--num-extra', str(args.num_extra)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    if not osp.isfile(osp.join(split, 'unlabeled.txt')):
        subprocess.run([py, 'tools/make_splits.py', '--dataset', 'voc',
                        '--data-root', root, '--num-labeled',
                        str(args.num_labeled), '--num-splits', '1',
                        '--seed', '0'], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    off = osp.join(args.data_dir, 'official')
    os.makedirs(osp.join(off, 'splits', 'pascal'), exist_ok=True)
    for part in ('labeled', 'unlabeled'):
        with open(osp.join(split, f'{part}.txt')) as f:
            ids = [line.split()[0] for line in f if line.strip()]
        n_u_iters = len(ids) // args.batch
        if part == 'unlabeled' and n_u_iters < max(
                8, args.warmup + args.iters + 1):
            raise SystemExit(
                f'{len(ids)} unlabeled images: the official epoch '
                f'({n_u_iters} iterations of {args.batch}) must hold at '
                f'least 8 and warm-up + timed + 1 iterations (raise '
                '--num-extra)')
        with open(osp.join(off, f'{part}.txt'), 'w') as f:
            f.write('\n'.join(official_id_lines(ids, part == 'labeled')) +
                    '\n')
    with open(osp.join(off, 'splits', 'pascal', 'val.txt'), 'w') as f:
        f.write('\n'.join(official_id_lines(ids[:1], False)) + '\n')
    with open(osp.join(off, 'config.yaml'), 'w') as f:
        json.dump(official_config(args), f, indent=1)


# ============================================================ workers
def _set_threads(args):
    import torch
    if args.threads:
        torch.set_num_threads(args.threads)
    return torch.get_num_threads()


def model_fwd_bwd(forward, params, shape, reps: int) -> float:
    """Median seconds of ``reps`` train-mode forward + backward passes of
    ``forward`` (one untimed pass first) on random inputs of ``shape``."""
    import torch
    x = torch.randn(shape)
    times = []
    for k in range(reps + 1):
        t = time.perf_counter()
        forward(x).float().mean().backward()
        for p in params:
            p.grad = None
        if k:
            times.append(time.perf_counter() - t)
    return statistics.median(times) if times else float('nan')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _import_torchvision() -> List[str]:
    """Import torchvision for the official data pipeline, which uses only
    ``torchvision.transforms`` (pure Python). A torchvision wheel whose
    compiled ops do not load with this torch (a CUDA build next to a CPU
    torch) fails at import while registering those ops' meta kernels
    (``torchvision._meta_registrations``); that module is then replaced by
    an empty one. Returns the note for the report."""
    import types
    try:
        import torchvision  # noqa: F401
        return []
    except RuntimeError as e:
        if 'does not exist' not in str(e):
            raise
        for name in [m for m in sys.modules
                     if m == 'torchvision' or m.startswith('torchvision.')]:
            del sys.modules[name]
        sys.modules['torchvision._meta_registrations'] = types.ModuleType(
            'torchvision._meta_registrations')
        import torchvision  # noqa: F401,F811
        return [f'torchvision: compiled ops unavailable ({e}); its meta '
                'registrations skipped (transforms only)']


def run_official(args) -> dict:
    """The official ``unimatch.main()`` under the patches of the module
    docstring, in this (worker) process; cwd is the official data folder
    (the official reads ``splits/pascal/val.txt`` relative to it)."""
    import types
    from contextlib import contextmanager

    repo = osp.abspath(args.official_repo)
    for path in [repo] + list(reversed(args.official_path or [])):
        sys.path.insert(0, osp.abspath(path))
    import torch
    import torch.distributed as dist
    from torch import nn
    threads = _set_threads(args)
    off = osp.join(args.data_dir, 'official')
    os.chdir(off)
    patches = []

    torch.Tensor.cuda = lambda self, *a, **k: self
    nn.Module.cuda = lambda self, *a, **k: self
    patches.append('Tensor.cuda / Module.cuda: no-ops')

    real_load = torch.load

    def load(f, *a, **k):
        if isinstance(f, str) and f.replace('\\', '/').startswith(
                'pretrained/'):
            return {}
        return real_load(f, *a, **k)

    torch.load = load
    patches.append('torch.load(pretrained/*.pth) -> {} (random init)')
    nn.SyncBatchNorm.convert_sync_batchnorm = classmethod(
        lambda cls, module, process_group=None: module)
    patches.append('convert_sync_batchnorm: identity (1 process)')
    captured = {}

    class CpuDDP(nn.parallel.DistributedDataParallel):
        def __init__(self, module, *a, **k):
            k.pop('device_ids', None)
            k.pop('output_device', None)
            captured['model'] = module
            super().__init__(module, *a, **k)

    if args.official_no_ddp:  # diagnostic, not the official setup
        def no_ddp(module, *a, **k):
            captured['model'] = module
            return module

        nn.parallel.DistributedDataParallel = no_ddp
        patches.append('DIAGNOSTIC --official-no-ddp: the model is not '
                       'wrapped in DistributedDataParallel')
    else:
        nn.parallel.DistributedDataParallel = CpuDDP
        patches.append('DistributedDataParallel: no device_ids (CPU '
                       'module)')
    try:
        import torch.utils.tensorboard  # noqa: F401
        patches.append('tensorboard: real')
    except ImportError:
        class SummaryWriter:
            def __init__(self, *a, **k):
                pass

            def add_scalar(self, *a, **k):
                pass

        stub = types.ModuleType('torch.utils.tensorboard')
        stub.SummaryWriter = SummaryWriter
        sys.modules['torch.utils.tensorboard'] = stub
        patches.append('tensorboard not installed: SummaryWriter no-op')

    os.environ.update(RANK='0', WORLD_SIZE='1', LOCAL_RANK='0',
                      MASTER_ADDR='127.0.0.1',
                      MASTER_PORT=str(_free_port()))
    import util.dist_helper as dist_helper
    real_setup = dist_helper.setup_distributed

    @contextmanager
    def one_gloo_process():
        saved = (torch.cuda.device_count, torch.cuda.set_device,
                 dist.init_process_group)
        torch.cuda.device_count = lambda: 1
        torch.cuda.set_device = lambda *a, **k: None
        init = dist.init_process_group
        dist.init_process_group = lambda backend=None, **k: init(
            backend='gloo', **k)
        try:
            yield
        finally:
            (torch.cuda.device_count, torch.cuda.set_device,
             dist.init_process_group) = saved

    def setup_distributed(backend='nccl', port=None):
        with one_gloo_process():
            return real_setup(backend=backend, port=port)

    dist_helper.setup_distributed = setup_distributed
    patches.append('setup_distributed: 1-process gloo group')

    patches += _import_torchvision()
    import unimatch
    unimatch.setup_distributed = setup_distributed
    timer = StepTimer(args.iters, args.warmup)

    class TimedSGD(unimatch.SGD):
        def step(self, *a, **k):
            out = super().step(*a, **k)
            timer.mark()
            return out

    class TimedDataLoader(unimatch.DataLoader):
        def __iter__(self):
            return timer.wrap_iterator(super().__iter__())

    unimatch.SGD, unimatch.DataLoader = TimedSGD, TimedDataLoader
    patches.append('unimatch.SGD / DataLoader: timed subclasses')
    sys.argv = ['unimatch.py', '--config', osp.join(off, 'config.yaml'),
                '--labeled-id-path', osp.join(off, 'labeled.txt'),
                '--unlabeled-id-path', osp.join(off, 'unlabeled.txt'),
                '--save-path', osp.join(off, 'save')]
    try:
        unimatch.main()
    except StopBenchmark:
        pass
    else:
        raise RuntimeError('the official loop ended before '
                           f'{args.warmup + args.iters} steps')
    model = captured['model']
    params = [p for p in model.parameters()]
    res = dict(totals=timer.totals, data=timer.data, threads=threads,
               patches=patches, params=sum(p.numel() for p in params),
               model=f'official DeepLabV3Plus resnet{args.depth}')
    if args.model_reps:
        model.train()
        res['model_fwd_bwd'] = model_fwd_bwd(
            model, params, (2 * args.batch, 3, args.crop, args.crop),
            args.model_reps)
    if dist.is_initialized():
        dist.destroy_process_group()
    return res


def mmssl_cfg(args):
    """``--config`` with the backbone depth, crop and class count of the
    benchmark; no pretrained weights (timing only)."""
    import mmssl  # noqa: F401
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    cfg = Config.fromfile(osp.join(ROOT, args.config))
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    seg = cfg.model.segmentor
    seg.pretrained = None
    seg.backbone.depth = args.depth
    seg.decode_head.num_classes = NUM_CLASSES
    crop = (args.crop, args.crop)
    cfg.model.data_preprocessor.data_preprocessor.size = crop
    for part in ('labeled', 'unlabeled'):
        for t in cfg.train_dataloader.dataset[part].pipeline:
            if 'crop_size' in t:
                t['crop_size'] = crop
    return cfg


def _mmssl_setup(args):
    from types import SimpleNamespace
    cfg = mmssl_cfg(args)
    ns = SimpleNamespace(data_root=args.voc_root, split=args.split_dir,
                         batch=2 * args.batch, num_labeled=args.batch,
                         workers=args.workers, device='cpu')
    loader, model, optim, _, _ = bc.build_step_setup(
        cfg, ns, dict(ann_file='{split}/{part}.txt'))
    return loader, model, optim


def run_mmssl(args) -> dict:
    """Time ``benchmark_common.train_iteration`` (no EMA, no ramp: the
    UniMatch configs have neither) without the profiler."""
    threads = _set_threads(args)
    loader, model, optim = _mmssl_setup(args)
    timer = StepTimer(args.iters, args.warmup, stop=False)
    it = timer.wrap_iterator(loader)
    i = 0
    while not timer.done:
        bc.train_iteration(model, it, optim, i, 'cpu')
        timer.mark()
        i += 1
    student = model.student
    params = list(student.parameters())
    res = dict(totals=timer.totals, data=timer.data, threads=threads,
               params=sum(p.numel() for p in params),
               model=f'mmseg DeepLabV3+ ResNetV1c-{args.depth} '
               '(DepthwiseSeparableASPPHead)')
    if args.model_reps:
        import torch.nn.functional as F

        def forward(x):
            out = student(x, mode='tensor')
            return F.interpolate(out, size=x.shape[2:], mode='bilinear',
                                 align_corners=True)

        student.train()
        res['model_fwd_bwd'] = model_fwd_bwd(
            forward, params, (2 * args.batch, 3, args.crop, args.crop),
            args.model_reps)
    return res


def run_mmssl_profile(args) -> dict:
    """The mmssl-specific share: ``benchmark_common.profile_training``
    (Python stacks) on the same setup."""
    threads = _set_threads(args)
    loader, model, optim = _mmssl_setup(args)
    prof = bc.profile_training(model, iter(loader), optim,
                               args.profile_iters, args.warmup, 'cpu',
                               with_stack=not args.no_stack)
    report = bc.step_report(prof, {'mmssl.build_unsup_batch': 0.02},
                            share_budget=args.share_budget)
    return dict(share=prof.share, iteration=prof.iteration,
                specific=prof.specific, steps=prof.steps,
                steps_in_net=prof.steps_in_net, phases=prof.phases,
                networks=prof.networks, with_stack=prof.with_stack,
                iterations=prof.iterations, threads=threads, report=report)


WORKERS = dict(official=run_official, mmssl=run_mmssl,
               profile=run_mmssl_profile)


# ============================================================ driver
def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--official-repo', required=True,
                   help='a checkout of LiheYoung/UniMatch (run, not copied)')
    p.add_argument('--official-path', nargs='*', default=[],
                   help='folders added to the official side\'s sys.path '
                   '(its torchvision, if not in this environment)')
    p.add_argument('--config', default=DEFAULT_CONFIG,
                   help='mmssl UniMatch config (VOC layout)')
    p.add_argument('--depth', type=int, default=50, choices=(50, 101))
    p.add_argument('--crop', type=int, default=225)
    p.add_argument('--batch', type=int, default=2,
                   help='labeled = unlabeled images per step')
    p.add_argument('--rounds', type=int, default=2,
                   help='alternations official, mmssl (each a process)')
    p.add_argument('--iters', type=int, default=5,
                   help='timed iterations per round')
    p.add_argument('--warmup', type=int, default=2,
                   help='iterations before the timed ones (>= 1)')
    p.add_argument('--profile-iters', type=int, default=3,
                   help='profiled mmssl iterations for the share (0: none)')
    p.add_argument('--no-stack', action='store_true',
                   help='profile without Python stacks (upper bound)')
    p.add_argument('--model-reps', type=int, default=2,
                   help='model-only forward + backward passes per side '
                   '(0: none)')
    p.add_argument('--threads', type=int, default=None,
                   help='torch threads on both sides (default: torch\'s)')
    p.add_argument('--workers', type=int, default=2,
                   help='mmssl dataloader workers (official: 1 per loader)')
    p.add_argument('--official-no-ddp', action='store_true',
                   help='diagnostic: run the official step without its '
                   '(1-process) DistributedDataParallel wrapper')
    p.add_argument('--num-labeled', type=int, default=8)
    p.add_argument('--num-train', type=int, default=16,
                   help='generated VOC train images')
    p.add_argument('--num-extra', type=int, default=24,
                   help='generated VOC aug-only (unlabeled) images')
    p.add_argument('--data-dir',
                   default=osp.join(tempfile.gettempdir(),
                                    'mmssl_official_unimatch_bench'))
    p.add_argument('--share-budget', type=float, default=0.02)
    p.add_argument('--out', default=None, help='results JSON')
    p.add_argument('--worker', choices=sorted(WORKERS),
                   help=argparse.SUPPRESS)
    p.add_argument('--worker-out', help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.warmup < 1:
        p.error('--warmup must be >= 1')
    args.data_dir = osp.abspath(args.data_dir)
    args.official_repo = osp.abspath(args.official_repo)
    args.official_path = [osp.abspath(d) for d in args.official_path]
    args.voc_root = osp.join(args.data_dir, 'VOCdevkit', 'VOC2012')
    args.split_dir = osp.join(args.voc_root, 'splits',
                              str(args.num_labeled), 'split0')
    return args


def _worker_cmd(args, argv, worker, out):
    """The worker's command line: the driver's arguments, its folders
    made absolute (the workers run in the repository root)."""
    return ([sys.executable, osp.abspath(__file__)] + list(argv) +
            ['--data-dir', args.data_dir, '--official-repo',
             args.official_repo, '--official-path', *args.official_path,
             '--worker', worker, '--worker-out', out])


def run_worker(args, argv, worker, log) -> dict:
    out = osp.join(args.data_dir, f'{worker}.json')
    if osp.exists(out):
        os.remove(out)
    t = time.time()
    with open(log, 'a') as f:
        f.write(f'\n===== {worker} =====\n')
        f.flush()
        proc = subprocess.run(_worker_cmd(args, argv, worker, out), cwd=ROOT,
                              stdout=f, stderr=subprocess.STDOUT)
    if proc.returncode or not osp.isfile(out):
        with open(log) as f:
            tail = ''.join(f.readlines()[-25:])
        raise SystemExit(f'{worker} worker failed ({proc.returncode}); '
                         f'log {log}:\n{tail}')
    with open(out) as f:
        res = json.load(f)
    res['wall'] = time.time() - t
    return res


def _ms(x):
    return f'{1e3 * x:9.1f}'


def format_report(summary, profile, meta) -> str:
    lines = [f'official UniMatch vs mmssl UniMatch, CPU, '
             f'{meta["batch"]} labeled + {meta["batch"]} unlabeled, crop '
             f'{meta["crop"]}, ResNet-{meta["depth"]}, {meta["rounds"]} '
             f'alternating rounds x {meta["iters"]} timed iterations, '
             f'torch threads {meta["threads"]}', '',
             f'{"side":10s} {"what":8s} {"median ms":>9s} {"p25":>9s} '
             f'{"p75":>9s} {"min":>9s} {"max":>9s} {"n":>3s}  '
             'round medians ms']
    for side in SIDES:
        s = summary[side]
        for key, rm in (('total', 'round_medians'),
                        ('compute', 'round_compute_medians')):
            sp = s[key]
            lines.append(
                f'{side:10s} {key:8s} {_ms(sp["median"])} {_ms(sp["p25"])} '
                f'{_ms(sp["p75"])} {_ms(sp["min"])} {_ms(sp["max"])} '
                f'{sp["n"]:3d}  ' +
                ' '.join(f'{1e3 * v:.0f}' for v in s[rm]))
    r = summary['ratio']
    lines += ['', f'ratio mmssl / official (medians): iteration '
              f'{r["total"]:.3f}, compute (minus data waits) '
              f'{r["compute"]:.3f}; per round '
              + ' '.join(f'{v:.3f}' for v in r['per_round'])]
    mf = meta.get('model_fwd_bwd') or {}
    if mf.get('official') and mf.get('mmssl'):
        lines.append(
            f'model only (fwd + bwd, {2 * meta["batch"]} images): official '
            f'{1e3 * mf["official"]:.0f} ms, mmssl {1e3 * mf["mmssl"]:.0f} '
            f'ms, ratio {mf["mmssl"] / mf["official"]:.3f}; params official '
            f'{meta["params"]["official"] / 1e6:.1f} M, mmssl '
            f'{meta["params"]["mmssl"] / 1e6:.1f} M; step ratio / model '
            f'ratio {r["total"] / (mf["mmssl"] / mf["official"]):.3f}')
    if profile:
        lines += ['', 'mmssl step profile (benchmark_common):',
                  profile['report'], '',
                  f'mmssl-specific time {1e3 * profile["specific"]:.1f} ms '
                  f'(profiled) over the UNprofiled median iteration '
                  f'{1e3 * summary["mmssl"]["total"]["median"]:.0f} ms: '
                  f'{100 * profile["share_unprofiled"]:.2f} % (a cross-'
                  'check: the profiler slows Python-heavy work more than '
                  'the networks; the profiled share above is '
                  'benchmark_common\'s definition)']
    return '\n'.join(lines)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.worker:
        res = WORKERS[args.worker](args)
        bc.write_json_atomic(args.worker_out, res)
        return 0
    if not osp.isfile(osp.join(args.official_repo, 'unimatch.py')):
        raise SystemExit(f'{args.official_repo}: no unimatch.py (a checkout '
                         'of LiheYoung/UniMatch expected)')
    t0 = time.time()
    os.makedirs(args.data_dir, exist_ok=True)
    prepare_data(args)
    log = osp.join(args.data_dir, 'workers.log')
    open(log, 'w').close()
    rounds = {s: [] for s in SIDES}
    meta = dict(batch=args.batch, crop=args.crop, depth=args.depth,
                rounds=args.rounds, iters=args.iters, warmup=args.warmup,
                official_no_ddp=args.official_no_ddp,
                config=args.config, official_repo=osp.abspath(
                    args.official_repo), argv=argv,
                machine=f'{os.cpu_count()} CPUs', model_fwd_bwd={},
                params={})
    results = dict(settings=meta, rounds=rounds, complete=False)

    def save():
        if args.out:
            os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
            bc.write_json_atomic(args.out, results)

    order = alternation(args.rounds)
    for k, side in enumerate(order):
        print(f'[official-unimatch] {k + 1}/{len(order)}: {side} '
              f'({args.warmup} + {args.iters} iterations)', flush=True)
        res = run_worker(args, argv, side, log)
        rounds[side].append(res)
        meta['threads'] = res['threads']
        meta['params'][side] = res['params']
        if side == 'official':
            meta['official_patches'] = res['patches']
        print(f'[official-unimatch]   median '
              f'{1e3 * statistics.median(res["totals"]):.0f} ms / '
              f'iteration, data waits {1e3 * sum(res["data"]):.0f} ms in '
              f'all, {res["wall"]:.0f} s', flush=True)
        save()
    for side in SIDES:
        vals = [r['model_fwd_bwd'] for r in rounds[side]
                if r.get('model_fwd_bwd') is not None]
        meta['model_fwd_bwd'][side] = statistics.median(vals) if vals \
            else None
    summary = summarise(rounds)
    mf = meta['model_fwd_bwd']
    if mf.get('official') and mf.get('mmssl'):
        # the step ratio over the networks' own cost ratio: ~1 when the
        # steps differ only by their DeepLabv3+ variants
        summary['ratio']['model_only'] = mf['mmssl'] / mf['official']
        summary['ratio']['model_normalised'] = (
            summary['ratio']['total'] / summary['ratio']['model_only'])
    results['summary'] = summary
    profile = None
    if args.profile_iters:
        print(f'[official-unimatch] mmssl profile ({args.warmup} + '
              f'{args.profile_iters} iterations)', flush=True)
        profile = run_worker(args, argv, 'profile', log)
        profile['share_unprofiled'] = (
            profile['specific'] / summary['mmssl']['total']['median'])
        results['profile'] = profile
    results['complete'] = True
    results['wall_secs'] = time.time() - t0
    save()
    print(format_report(summary, profile, meta))
    if args.out:
        print(f'\nresults: {args.out}; worker log: {log}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

"""Code shared by the benchmark tools.

* **Step benchmarks** (``tools/benchmark_step.py``,
  ``tools/benchmark_step_multitask.py``): build a semi-supervised model, its
  optimizer and its real two-view data pipeline from a config, run training
  steps under ``torch.profiler`` (CPU activity) and report where a step's
  time goes. The core's training-step template runs each step inside
  ``torch.profiler.record_function('mmssl.<step>')``; the report takes the
  steps' names and times from those events (:data:`STEP_PREFIX`), so it
  needs no knowledge of the core's steps or import names, and nothing of
  the model is patched. The harness labels its own phases (``bench.data``,
  ``bench.loss``, ``bench.backward_step``, ...) and, through forward hooks
  (torch's public API) on the networks' modules, every call into the
  teacher / student networks (``bench.net.teacher``,
  ``bench.net.student``); with Python stacks, the ops that model-zoo code
  runs between module calls count as network time too
  (:data:`MODEL_CODE`). :data:`SHARE_DEFINITION` says what the
  mmssl-specific share is.
* **Learning benchmarks** (``tools/benchmark_learning.py``,
  ``tools/benchmark_multitask.py``): the stage loop
  (:class:`LearningBenchmark`: per data seed, per training seed, a
  supervised warm-up then each method from its checkpoint), training and
  testing through the stock ``tools/train.py`` / ``tools/test.py``
  (:func:`train_and_test`: finished runs and their tests are reused),
  ``[bench] <run>: step 25/300, eta 0:03:10`` progress lines and the
  atomically written results JSON.

The tools import this module as a sibling script (``tools/`` on
``sys.path``), so they run as ``python tools/<tool>.py`` from the
repository root or as ``python <tool>.py`` from ``tools/``.
"""
import json
import math
import os
import os.path as osp
import re
import statistics
import subprocess
import sys
import textwrap
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
# the generator's stamp in a generated dataset's folder, rewritten whenever
# the data is made again (mmssl.datasets.synthetic.common.STAMP_NAME; the
# tools do not import the package for it, a test checks they agree)
DATA_STAMP = '.mmssl_synthetic.json'

# ====================================================== step benchmarks
#: label prefix of the core's training steps (``mmssl.models.core``)
STEP_PREFIX = 'mmssl.'
#: label prefix of the harness' own ranges
BENCH_PREFIX = 'bench.'
#: label prefix of the ranges around calls into the teacher / student
NET_PREFIX = 'bench.net.'
ITERATION = 'bench.iteration'
#: harness phases of one training iteration, in order, with report names
PHASES = (('bench.data', 'data'), ('bench.preprocess', 'preprocess'),
          ('bench.loss', 'model.loss'),
          ('bench.parse_losses', 'logging (loss parsing)'),
          ('bench.backward_step', 'backward + optimizer step'),
          ('bench.ema', 'EMA update (fused)'), ('bench.ramp', 'ramp'))
#: phases that are mmssl's own work outside the networks (the rest of
#: ``bench.loss`` outside the networks counts too)
SPECIFIC_PHASES = ('bench.parse_losses', 'bench.ema', 'bench.ramp')
SHARE_BUDGET = 0.05

SHARE_DEFINITION = (
    'mmssl-specific share: the part of an iteration spent in mmssl\'s own '
    'work = model.loss outside the networks (matching, pseudo-label '
    'post-processing, mixing, statistics, hook info, ...) + loss parsing + '
    'EMA + ramp. Network time (not counted): every call into a teacher / '
    'student module (forward hooks) and, with Python stacks (default), the '
    'ops that mmseg / mmdet model code (mmseg/models, mmdet/models, not '
    'their utils) runs between module calls (a head\'s resize and accuracy '
    'in loss_by_feat, predict_by_feat, box decoding + NMS); also not '
    'counted: data, preprocess, backward + optimizer step. With --no-stack '
    'that model code counts as mmssl (an upper bound).')


def add_step_args(p, split_default, split_help, iters_default):
    """Command-line arguments common to both step benchmarks."""
    import torch
    p.add_argument('config')
    p.add_argument('--data-root', default='data/synthetic/cityscapes/')
    p.add_argument('--split', default=split_default, help=split_help)
    p.add_argument('--batch', type=int, default=None,
                   help='per-device batch (default: the config\'s)')
    p.add_argument('--num-labeled', type=int, default=None)
    p.add_argument('--iters', type=int, default=iters_default,
                   help='timed (profiled) iterations')
    p.add_argument('--warmup', type=int, default=1,
                   help='iterations before the timed ones')
    p.add_argument('--workers', type=int, default=2)
    p.add_argument('--device', default='cuda' if torch.cuda.is_available()
                   else 'cpu')
    p.add_argument('--amp', action='store_true', help='bf16 autocast (GPU)')
    p.add_argument('--step-budget', nargs='*', default=None,
                   metavar='STEP=PERCENT',
                   help='also check these steps\' own time against a '
                   'budget (percent of the iteration), e.g. '
                   'mmssl.build_unsup_batch=2')
    p.add_argument('--no-stack', action='store_true',
                   help='do not record Python stacks (less profiler '
                   'overhead; model-zoo head code outside module calls '
                   'then counts as mmssl)')
    p.add_argument('--trace', default=None,
                   help='also write the profiler\'s Chrome trace here')
    return p


def parse_budgets(items: Optional[Sequence[str]],
                  default: Optional[Dict[str, float]] = None
                  ) -> Dict[str, float]:
    """``['mmssl.x=2']`` -> ``{'mmssl.x': 0.02}``; ``None`` -> default."""
    if items is None:
        return dict(default or {})
    out = {}
    for item in items:
        name, _, pct = item.rpartition('=')
        if not name:
            raise SystemExit(f'--step-budget {item!r}: expected STEP=PERCENT')
        out[name] = float(pct) / 100
    return out


def prepare_device(device: str) -> None:
    """On CUDA, make kernel launches synchronous (before the CUDA context
    exists): the profiler's CPU ranges then hold their kernels' time."""
    if not device.startswith('cuda'):
        return
    import torch
    if (os.environ.get('CUDA_LAUNCH_BLOCKING') != '1'
            and torch.cuda.is_initialized()):
        print('warning: CUDA is initialised without CUDA_LAUNCH_BLOCKING=1: '
              'step times are CPU launch times; rerun with '
              'CUDA_LAUNCH_BLOCKING=1', flush=True)
    os.environ.setdefault('CUDA_LAUNCH_BLOCKING', '1')


def build_step_setup(cfg, args, part_overrides: Dict[str, str],
                     init_weights: bool = False):
    """Dataset (labeled + unlabeled parts with ``part_overrides``, each
    value formatted with ``part`` and ``split``), explicit sampler, loader,
    model (train mode, on ``args.device``) and optimizer wrapper.

    Returns ``(loader, model, optim, batch, num_labeled)``.
    """
    from mmengine.dataset import pseudo_collate
    from mmengine.optim import build_optim_wrapper
    from torch.utils.data import DataLoader

    from mmseg.registry import DATASETS, MODELS
    from mmssl.datasets.samplers import ExplicitSemiSampler
    from mmssl.utils import replace_sync_bn
    replace_sync_bn(cfg.model)
    ds_cfg = cfg.train_dataloader.dataset
    for part in ('labeled', 'unlabeled'):
        ds_cfg[part].data_root = args.data_root
        for key, value in part_overrides.items():
            ds_cfg[part][key] = value.format(part=part, split=args.split)
    dataset = DATASETS.build(ds_cfg)
    batch = args.batch or cfg.train_dataloader.batch_size
    n_lab = args.num_labeled if args.num_labeled is not None else (
        cfg.train_dataloader.sampler.get('num_labeled', batch // 2))
    sampler = ExplicitSemiSampler(dataset, batch, n_lab, seed=0)
    loader = DataLoader(dataset, batch_size=batch, sampler=sampler,
                        num_workers=args.workers, collate_fn=pseudo_collate,
                        persistent_workers=args.workers > 0)
    model = MODELS.build(cfg.model)
    if init_weights:
        model.init_weights()
    model = model.to(args.device)
    model.train()
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    return loader, model, optim, batch, n_lab


@contextmanager
def network_ranges(networks: Dict[str, 'object']):
    """Label every call into each network (``{name: nn.Module}``) as a
    ``bench.net.<name>`` profiler range, through forward pre-hooks and
    forward hooks on all of its modules: a range opens when the first of
    its modules is entered and closes when that call returns, so nested
    module calls make one range. Heads called by method (``head.loss``)
    are covered through the modules they call (``loss_decode``, convs)."""
    from torch.profiler import record_function
    handles = []
    for name, net in networks.items():
        state = dict(depth=0, rf=None)

        def pre(module, inputs, state=state, label=NET_PREFIX + name):
            if state['depth'] == 0:
                state['rf'] = record_function(label)
                state['rf'].__enter__()
            state['depth'] += 1

        def post(module, inputs, output, state=state):
            state['depth'] -= 1
            if state['depth'] == 0 and state['rf'] is not None:
                state['rf'].__exit__(None, None, None)
                state['rf'] = None

        for m in net.modules():
            handles.append(m.register_forward_pre_hook(pre))
            handles.append(m.register_forward_hook(post, always_call=True))
    try:
        yield
    finally:
        for h in handles:
            h.remove()


@dataclass
class Event:
    """One profiler range: label, start and end (microseconds), thread."""
    name: str
    start: float
    end: float
    thread: int = 0


#: label of the ranges of model-zoo model code that runs outside module
#: calls (a decode head's resize and accuracy in ``loss_by_feat``, the
#: teacher's ``predict_by_feat`` resize, box decoding + NMS)
MODEL_CODE = NET_PREFIX + 'model code'
#: Python frames of model-zoo model code (not its utilities)
MODEL_CODE_RE = re.compile(r'(^|/)(mmseg|mmdet)/models/(?!utils/)')


def _is_op(e) -> bool:
    return '::' in e.name and not e.name.startswith(
        (STEP_PREFIX, BENCH_PREFIX))


def _in_model_code(e) -> bool:
    """Whether op event ``e`` was called (through Python frames, recorded
    with ``with_stack=True``) from model-zoo model code, outside a network
    call (those are network time already)."""
    found = False
    p = e.cpu_parent
    while p is not None:
        if p.name.startswith(NET_PREFIX):
            return False
        if p.name.startswith((STEP_PREFIX, BENCH_PREFIX)):
            break
        found = found or bool(MODEL_CODE_RE.search(p.name))
        p = p.cpu_parent
    return found


def profiler_events(prof, prefixes=(STEP_PREFIX, BENCH_PREFIX)
                    ) -> List[Event]:
    """The ranges of a finished ``torch.profiler.profile`` whose label
    starts with one of ``prefixes``; with Python stacks recorded
    (``with_stack=True``), also a :data:`MODEL_CODE` range per top-level
    op called from model-zoo model code (``mmseg/models``,
    ``mmdet/models``, not their ``utils``)."""
    out = []
    for e in prof.events():
        if e.name.startswith(tuple(prefixes)):
            out.append(Event(e.name, float(e.time_range.start),
                             float(e.time_range.end), int(e.thread)))
        elif (_is_op(e) and (e.cpu_parent is None
                             or not _is_op(e.cpu_parent))
              and _in_model_code(e)):
            out.append(Event(MODEL_CODE, float(e.time_range.start),
                             float(e.time_range.end), int(e.thread)))
    return out


@dataclass
class StepProfile:
    """Per-iteration means (seconds) attributed from profiler ranges.

    ``steps``: each ``mmssl.*`` label's own time (nested ``mmssl.*`` ranges
    excluded, so every instant counts once), ``steps_in_net``: the part of
    it inside network calls, ``calls``: calls per iteration; ``phases``:
    each harness phase; ``networks``: each network's calls (and ``'model
    code'``: model-zoo ops outside module calls in ``model.loss``, see
    :func:`profiler_events`); ``specific``:
    the mmssl-specific time (:data:`SHARE_DEFINITION`); ``loss_glue``:
    ``model.loss`` outside every step, ``loss_glue_in_net`` its part inside
    network calls; ``iteration``: wall time of an iteration.
    """
    iterations: int = 0
    iteration: float = 0.0
    steps: Dict[str, float] = field(default_factory=dict)
    steps_in_net: Dict[str, float] = field(default_factory=dict)
    calls: Dict[str, float] = field(default_factory=dict)
    phases: Dict[str, float] = field(default_factory=dict)
    networks: Dict[str, float] = field(default_factory=dict)
    specific: float = 0.0
    loss_glue: float = 0.0
    loss_glue_in_net: float = 0.0
    with_stack: bool = True  # model code told apart (Python stacks)

    @property
    def share(self) -> float:
        return self.specific / self.iteration if self.iteration else 0.0


def attribute(events: Iterable[Event]) -> StepProfile:
    """Attribute every instant of the iterations to the innermost active
    harness phase, ``mmssl.*`` step and network range (ranges nest: the
    profiler's ``record_function`` ranges are properly nested per thread).
    Only threads that ran ``bench.iteration`` ranges are looked at."""
    events = list(events)
    threads = {e.thread for e in events if e.name == ITERATION}
    events = [e for e in events if e.thread in threads and e.end > e.start]
    n_iter = sum(e.name == ITERATION for e in events)
    prof = StepProfile(iterations=n_iter)
    if not n_iter:
        return prof
    phase_names = {p for p, _ in PHASES}
    acc = dict(steps=defaultdict(float), steps_in_net=defaultdict(float),
               phases=defaultdict(float), networks=defaultdict(float))
    calls = defaultdict(int)
    specific = glue = glue_net = iteration = 0.0
    for thread in threads:
        evs = [e for e in events if e.thread == thread]
        for e in evs:
            if e.name.startswith(STEP_PREFIX):
                calls[e.name] += 1
        bounds = sorted({t for e in evs for t in (e.start, e.end)})
        # sweep the elementary segments between consecutive boundaries,
        # keeping the active ranges of each kind, innermost last
        starts = defaultdict(list)
        for e in sorted(evs, key=lambda e: (e.start, -(e.end - e.start))):
            starts[e.start].append(e)
        active: List[Event] = []
        for t0, t1 in zip(bounds[:-1], bounds[1:]):
            active = [e for e in active if e.end > t0] + starts.get(t0, [])
            dt = t1 - t0
            if not any(e.name == ITERATION for e in active):
                continue
            iteration += dt
            phase = step = net = None
            # active is in start order: the last of a kind is the innermost
            for e in active:
                if e.name in phase_names:
                    phase = e.name
            for e in active:
                if e.name == MODEL_CODE:
                    if phase == 'bench.loss':  # a network call wins
                        net = net or e.name
                elif e.name.startswith(NET_PREFIX):
                    net = e.name
                elif e.name.startswith(STEP_PREFIX):
                    step = e.name
            if phase:
                acc['phases'][phase] += dt
            if net:
                acc['networks'][net[len(NET_PREFIX):]] += dt
            if step:
                acc['steps'][step] += dt
                if net:
                    acc['steps_in_net'][step] += dt
            elif phase == 'bench.loss':
                glue += dt
                glue_net += dt if net else 0.0
            if net is None and (phase == 'bench.loss'
                                or phase in SPECIFIC_PHASES):
                specific += dt
    scale = 1e-6 / n_iter  # microseconds -> seconds per iteration
    prof.iteration = iteration * scale
    for key, d in acc.items():
        setattr(prof, key, {k: v * scale for k, v in d.items()})
    prof.calls = {k: v / n_iter for k, v in calls.items()}
    prof.specific = specific * scale
    prof.loss_glue, prof.loss_glue_in_net = glue * scale, glue_net * scale
    return prof


def _sync(device: str) -> None:
    if device.startswith('cuda'):
        import torch
        torch.cuda.synchronize()


@contextmanager
def phase(name: str, device: str = 'cpu'):
    """A harness phase: a profiler range, synchronised on CUDA."""
    from torch.profiler import record_function
    _sync(device)
    with record_function(name):
        yield
        _sync(device)


def sigmoid_ramp(total=100):
    """``ramp(i)``: the ramp hook's sigmoid lambda at iteration ``i``."""
    from mmssl.engine.hooks.unsup_weight_hook import unsup_weight_at
    return lambda i: unsup_weight_at(i, total, 1.0, 'sigmoid')


def train_iteration(model, data_iter, optim, i, device='cpu', amp=False,
                    ema=None, ramp=None):
    """One training iteration of the harness, each phase in its range:
    data, preprocess, ``model.loss``, loss parsing, backward + optimizer
    step, EMA update (``ema(teacher, student)``), ramp (``model.unsup_weight
    = ramp(i)``). Returns the logged variables."""
    import torch
    from torch.profiler import record_function
    with record_function(ITERATION):
        with phase('bench.data', device):
            data = next(data_iter)
        with phase('bench.preprocess', device):
            data = model.data_preprocessor(data, True)
        with phase('bench.loss', device):
            with torch.autocast(device.split(':')[0], dtype=torch.bfloat16,
                                enabled=amp):
                losses = model.loss(data['inputs'], data['data_samples'])
        with phase('bench.parse_losses', device):
            loss, log_vars = model.parse_losses(losses)
        with phase('bench.backward_step', device):
            optim.update_params(loss)
        if ema is not None:
            with phase('bench.ema', device):
                ema(model.teacher, model.student)
        if ramp is not None:
            with phase('bench.ramp', device):
                model.unsup_weight = ramp(i)
    return log_vars


def _import_lazy_modules():
    """Import what is otherwise imported lazily in the middle of a step: a
    module imported while profiling with Python stacks frees its code
    object, whose name torch's profile then cannot read (PIL loads its
    image plugins on the first image of each format)."""
    try:
        from PIL import Image
        Image.init()
    except ImportError:
        pass


def profile_training(model, data_iter, optim, iters, warmup=0, device='cpu',
                     amp=False, ema=None, ramp=None, on_iteration=None,
                     trace=None, label='[step-bench]', with_stack=True):
    """Run ``warmup`` then ``iters`` profiled training iterations; each
    iteration's ``log_vars`` go to ``on_iteration(i, log_vars, timed)``.
    Prints one progress line per iteration (step, ETA). Returns the
    :class:`StepProfile` of the profiled iterations."""
    from torch.profiler import ProfilerActivity, profile
    total = warmup + iters
    t_start = time.perf_counter()

    def progress(i):
        done = i + 1
        eta = (time.perf_counter() - t_start) / done * (total - done)
        what = 'warm-up' if i < warmup else 'timed'
        print(f'{label} step {done}/{total} ({what}), eta '
              f'{fmt_wall(eta)}', flush=True)

    def step(i):
        log_vars = train_iteration(model, data_iter, optim, i, device, amp,
                                   ema, ramp)
        if on_iteration is not None:
            on_iteration(i, log_vars, i >= warmup)
        progress(i)

    nets = {n: getattr(model, n) for n in ('teacher', 'student')
            if hasattr(model, n)}
    if with_stack:
        _import_lazy_modules()
    with network_ranges(nets):
        for i in range(warmup):
            step(i)
        while True:
            with profile(activities=[ProfilerActivity.CPU],
                         with_stack=with_stack) as prof:
                for i in range(warmup, total):
                    step(i)
            try:
                events = profiler_events(prof)
                break
            except UnicodeDecodeError:
                if not with_stack:
                    raise
                # torch's Python tracer keeps raw pointers to code objects;
                # code freed while profiling (first-time imports, JIT)
                # leaves unreadable names (pytorch/pytorch#136040)
                print(f'{label} the profile with Python stacks is '
                      'unreadable (a torch profiler bug, see pytorch/pytorch'
                      '#136040); timing the same iterations again without '
                      'stacks: model code outside module calls counts as '
                      'mmssl', flush=True)
                with_stack = False
    if trace:
        prof.export_chrome_trace(trace)
    result = attribute(events)
    result.with_stack = with_stack
    return result


def step_report(prof: StepProfile, budgets: Optional[Dict[str, float]] = None,
                share_budget: float = SHARE_BUDGET) -> str:
    """The printed report of a :class:`StepProfile`."""
    it = prof.iteration or float('nan')
    ms = 1e3
    lines = []
    if prof.steps:
        lines.append(f'{"step (own time, nested steps excluded)":40s} '
                     f'{"ms":>10s} {"% iter":>8s} {"in nets ms":>11s} '
                     f'{"mmssl ms":>10s} {"calls":>6s}')
        for name, t in prof.steps.items():
            net = prof.steps_in_net.get(name, 0.0)
            lines.append(f'{name:40s} {ms * t:10.2f} {100 * t / it:8.2f} '
                         f'{ms * net:11.2f} {ms * (t - net):10.2f} '
                         f'{prof.calls.get(name, 0):6.1f}')
        lines.append(f'{"model.loss outside the steps":40s} '
                     f'{ms * prof.loss_glue:10.2f} '
                     f'{100 * prof.loss_glue / it:8.2f} '
                     f'{ms * prof.loss_glue_in_net:11.2f} '
                     f'{ms * (prof.loss_glue - prof.loss_glue_in_net):10.2f}')
    else:
        lines.append(f'no {STEP_PREFIX}* profiler ranges: this model\'s '
                     'training step has no record_function seam, only the '
                     'harness phases are timed')
    lines.append('')
    lines.append(f'{"part":40s} {"ms":>10s} {"% iter":>8s}')
    rows = [(title, prof.phases.get(p, 0.0)) for p, title in PHASES]
    rows[3:3] = [
        (f'  {n} outside module calls' if NET_PREFIX + n == MODEL_CODE
         else f'  {n} network calls', t)
        for n, t in sorted(prof.networks.items(),
                           key=lambda nt: NET_PREFIX + nt[0] == MODEL_CODE)
    ]
    for title, t in rows:
        lines.append(f'{title:40s} {ms * t:10.2f} {100 * t / it:8.2f}')
    lines.append(f'{"iteration (wall)":40s} {ms * prof.iteration:10.2f} '
                 f'{100.0:8.2f}')
    share = prof.share
    lines.append(f'mmssl-specific share: {100 * share:.2f} % '
                 f'({"within" if share < share_budget else "ABOVE"} the '
                 f'{100 * share_budget:g} % budget)' +
                 ('' if prof.with_stack else
                  '; without Python stacks: an upper bound'))
    for name, budget in (budgets or {}).items():
        if name not in prof.steps:
            lines.append(f'{name}: no such step in this model')
            continue
        s = prof.steps[name] / it
        lines.append(f'{name} share: {100 * s:.2f} % '
                     f'({"within" if s < budget else "ABOVE"} the '
                     f'{100 * budget:g} % budget)')
    lines.append(textwrap.fill(SHARE_DEFINITION, 79))
    return '\n'.join(lines)


def print_step_header(args, batch, n_lab, crop, extra=''):
    print(f'\nconfig: {args.config}\ndevice: {args.device}  batch/device: '
          f'{batch} ({n_lab} labeled)  crop: {crop}  amp: {args.amp}  '
          f'iters timed: {args.iters}{extra}')


def ema_comparison(model, reps):
    """Fused EMA update vs a per-parameter loop on the model's networks."""
    from mmssl.engine.hooks import EMATeacherHook
    from mmssl.engine.hooks.ema_teacher_hook import ema_update_reference
    ema = EMATeacherHook(decay=0.99)
    device = str(next(model.student.parameters()).device)
    times = {}
    for name, fn in (
            ('fused', lambda: ema.ema_update(model.teacher, model.student,
                                             0.99)),
            ('per-parameter loop', lambda: ema_update_reference(
                model.teacher, model.student, 0.99))):
        fn()
        _sync(device)
        t = time.perf_counter()
        for _ in range(reps):
            fn()
        _sync(device)
        times[name] = (time.perf_counter() - t) / reps
    n = sum(p.numel() for p in model.student.parameters())
    return (f'EMA update, {n / 1e6:.1f} M params + BN buffers: fused '
            f'{1e3 * times["fused"]:.2f} ms, per-parameter loop '
            f'{1e3 * times["per-parameter loop"]:.2f} ms')


def fused_ema(decay=0.99):
    """``ema(teacher, student)``: the EMA hook's fused update."""
    from mmssl.engine.hooks import EMATeacherHook
    hook = EMATeacherHook(decay=decay)
    return lambda teacher, student: hook.ema_update(teacher, student,
                                                    hook.decay)


# ================================================== learning benchmarks
DATA_ROOT = 'data/synthetic'  # data seed 0 (the demo configs' data)

PROGRESS_RE = re.compile(
    r'Iter\(train\)\s*\[\s*(\d+)\s*/\s*(\d+)\s*\].*?'
    r'eta:\s*((?:\d+ days?, )?\d+:\d\d:\d\d)')


def parse_progress(line):
    """(step, total, eta) of an mmengine ``Iter(train)`` log line, or None."""
    m = PROGRESS_RE.search(line)
    return (int(m.group(1)), int(m.group(2)), m.group(3)) if m else None


def last_test_line(text):
    """The last ``Iter(test)`` line of a ``tools/test.py`` log (IndexError
    when there is none)."""
    return re.findall(r'Iter\(test\).*', text)[-1]


def nanmean(values):
    vals = [v for v in values if v is not None and not math.isnan(v)]
    return statistics.mean(vals) if vals else float('nan')


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


def fmt_secs(secs):
    """Training wall time, or 'reused' for a run found on disk."""
    return 'reused' if secs is None or math.isnan(secs) else f'{secs:.0f}s'


def fmt_wall(secs):
    m, s = divmod(int(round(secs)), 60)
    h, m = divmod(m, 60)
    return f'{h}:{m:02d}:{s:02d}'


def train_secs_summary(runs):
    """``(printed, stored mean)`` of the train seconds of run records:
    the mean of the runs trained by this call ('reused' when none was),
    and the mean of every stored time (None when none is known)."""
    timed = [x['train_secs'] for x in runs
             if not x['reused'] and not math.isnan(x['train_secs'])]
    stored = [x['train_secs'] for x in runs
              if not math.isnan(x['train_secs'])]
    return (fmt_secs(statistics.mean(timed)) if timed else 'reused',
            statistics.mean(stored) if stored else None)


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


def run_quiet(cmds, data_seed, last=None):
    """Run data-preparation commands in ROOT; echo (the last ``last`` of)
    their output lines as ``[bench] data <seed>: ...``."""
    for cmd in cmds:
        out = subprocess.run(cmd, cwd=ROOT, check=True, text=True,
                             stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT).stdout
        lines = out.strip().splitlines()
        for line in (lines[-last:] if last else lines):
            print(f'[bench] data {data_seed}: {line}', flush=True)


def data_root_for(data_seed):
    root = DATA_ROOT if data_seed == 0 else f'{DATA_ROOT}_data{data_seed}'
    return root, osp.join(root, 'cityscapes') + '/'


def train_and_test(label, cfg, work_dir, iters, opts, test_opts, force,
                   older_than=None, parse=None):
    """Train (unless a fresh checkpoint exists) and test one run.

    A run is reused when ``work_dir/iter_<iters>.pth`` exists, ``force`` is
    off and it is not older than ``older_than`` (the warm-up checkpoint it
    starts from); its test is reused when the test log is newer than the
    checkpoint and ``parse`` reads it. ``parse`` turns the test log into
    the metrics dict. Returns those metrics plus train seconds (of this
    call, or of the stored run when reused), test seconds (nan when a
    finished test was reused), reused, checkpoint.
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


@dataclass
class Stage:
    """What one run of the stage loop trains: ``stage`` ('warmup' or a
    method), its data, split and seed, and the warm-up checkpoint it starts
    from (None for the warm-up, or without one)."""
    stage: str
    data_seed: int
    seed: int
    cs_root: str
    iters: int
    config: str
    warm_ckpt: Optional[str] = None


class LearningBenchmark:
    """The stage loop of the learning benchmarks.

    Per data seed (``args.data_seeds``) the data is prepared
    (:meth:`prepare_data`); per training seed (``args.seeds``) a supervised
    warm-up (``warmup_config``, ``args.warmup_iters``) is trained, then
    each method of ``args.methods`` (``configs``) from its checkpoint
    (``init_key``: where the method's config keeps it) for ``args.iters``.
    Runs go through :func:`train_and_test` (finished runs and their tests
    are reused; ``args.force`` retrains; a stage-2 run older than its
    warm-up checkpoint is retrained). After every run the results are
    written atomically to ``<args.work_dir>/<results_name>``; a failed run
    is recorded and the loop goes on (a method without its warm-up is
    skipped).

    A subclass supplies the data preparation, its training overrides
    (:meth:`train_opts`), the test overrides and log parser, the printed
    line per run and the final report.
    """
    warmup_config: str = ''
    configs: Dict[str, str] = {}
    init_key: Dict[str, str] = {}
    results_name = 'results.json'

    def __init__(self, args, t_start=None):
        self.args = args
        self.t_start = time.time() if t_start is None else t_start
        self.py = sys.executable

    # ------------------------------------------------------- to override
    def setup(self) -> None:
        """Checks and per-method facts, before any run."""

    def has_warmup(self) -> bool:
        return True

    def prepare_data(self, data_seed: int) -> str:
        """Prepare one data seed's data; return its Cityscapes root."""
        raise NotImplementedError

    def run_tag(self, data_seed: int, seed: int) -> str:
        raise NotImplementedError

    def train_opts(self, st: Stage) -> List[str]:
        """``--cfg-options`` of one training run."""
        raise NotImplementedError

    def test_opts(self, cs_root: str) -> List[str]:
        raise NotImplementedError

    def parse_test(self, text: str) -> dict:
        raise NotImplementedError

    def describe(self, st: Stage, rec: dict) -> str:
        """The line printed after a run."""
        raise NotImplementedError

    def report(self, results, pairs, stages) -> dict:
        """Print the final tables; return what goes into the JSON."""
        return {}

    # ------------------------------------------------------------ helpers
    def seed_opts(self, seed: int) -> List[str]:
        return [f'randomness.seed={seed}']

    def log_opts(self) -> List[str]:
        iv = self.args.log_interval
        return [f'default_hooks.logger.interval={iv}'] if iv else []

    def init_opts(self, stage: str, warm_ckpt: Optional[str]) -> List[str]:
        """Start a method from the warm-up checkpoint, or from random init
        (its ``init_cfg`` set to None) without one."""
        if warm_ckpt:
            return [f'{self.init_key[stage]}={warm_ckpt}']
        return [f'{self.init_key[stage].rsplit(".", 1)[0]}=None']

    def work_dir(self, st: Stage, tag: str) -> str:
        a = self.args
        if st.stage == 'warmup':
            return osp.join(a.work_dir, f'warmup{a.warmup_iters}_{tag}')
        return osp.join(a.work_dir,
                        f'{st.stage}_w{a.warmup_iters}_{a.iters}_{tag}')

    # --------------------------------------------------------------- loop
    def run(self) -> int:
        args = self.args
        work_root = osp.join(ROOT, args.work_dir)
        os.makedirs(work_root, exist_ok=True)
        results_path = osp.join(work_root, self.results_name)
        self.setup()
        pairs = [(d, s) for d in args.data_seeds for s in args.seeds]
        stages = (['warmup'] if self.has_warmup() else []) + args.methods
        total = len(pairs) * len(stages)
        results, failed, extra = {}, [], {}
        settings = dict(vars(args),
                        configs=dict(self.configs,
                                     warmup=self.warmup_config),
                        data_roots={d: data_root_for(d)[1]
                                    for d in args.data_seeds})

        def save(done=False):
            runs = [dict(data_seed=d, seed=s, stage=n, **r)
                    for (d, s, n), r in results.items()]
            write_json_atomic(results_path, dict(
                settings=settings, runs=runs, failed=failed, complete=done,
                wall_secs=time.time() - self.t_start, **extra))

        k = 0
        for d in args.data_seeds:
            cs_root = self.prepare_data(d)
            for seed in args.seeds:
                tag = self.run_tag(d, seed)
                warm_ckpt = None
                for stage in stages:
                    k += 1
                    label = f'data{d} seed{seed} {stage}'
                    print(f'\n[bench] run {k}/{total}: {label}', flush=True)
                    if stage == 'warmup':
                        st = Stage(stage, d, seed, cs_root,
                                   args.warmup_iters, self.warmup_config)
                    else:
                        if 'warmup' in stages and warm_ckpt is None:
                            print(f'[bench] {label}: skipped (no warm-up)',
                                  flush=True)
                            failed.append(dict(run=label,
                                               error='no warm-up'))
                            continue
                        st = Stage(stage, d, seed, cs_root, args.iters,
                                   self.configs[stage], warm_ckpt)
                    wd = self.work_dir(st, tag)
                    older_than = (osp.join(ROOT, warm_ckpt)
                                  if st.warm_ckpt else None)
                    rec = dict(name=label, config=st.config, work_dir=wd,
                               iters=st.iters)
                    try:
                        rec.update(train_and_test(
                            label, st.config, wd, st.iters,
                            self.train_opts(st), self.test_opts(cs_root),
                            args.force, older_than, parse=self.parse_test))
                    except (RunFailed, IndexError, AttributeError) as e:
                        print(f'[bench] {label}: FAILED\n{e}', flush=True)
                        failed.append(dict(run=label, error=str(e)))
                        save()
                        continue
                    if stage == 'warmup':
                        warm_ckpt = rec['checkpoint']
                    results[(d, seed, stage)] = rec
                    save()
                    print(self.describe(st, rec), flush=True)

        extra.update(self.report(results, pairs, stages))
        wall = time.time() - self.t_start
        save(done=not failed)
        if failed:
            print(f'\n[bench] {len(failed)} run(s) failed: ' +
                  ', '.join(f['run'] for f in failed))
        print(f'\n[bench] total wall time {fmt_wall(wall)} ({wall:.0f}s); '
              f'results in {osp.join(args.work_dir, self.results_name)}',
              flush=True)
        return 1 if failed else 0

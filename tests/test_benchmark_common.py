"""The benchmark tools' shared module (``tools/benchmark_common.py``), fast:

* step timing through the core's seam: per-step times come from the
  profiler's ``record_function`` ranges (``mmssl.*``), nested steps counted
  once, network calls (teacher / student module calls, model-zoo code
  between them) and the mmssl-specific share separated; checked on exact
  synthetic ranges and on a fake model whose steps sleep known durations
  under the real profiler;
* the learning benchmarks' stage loop: finished runs and their tests are
  reused, a stage-2 run older than its warm-up is retrained, ``--force``
  retrains, failures are recorded, results JSON written atomically,
  ``[bench] <run>: step k/n, eta`` progress echoed;
* both learning tools still pass the same ``--cfg-options`` to
  ``tools/train.py`` as before they shared the loop.
"""
import importlib.util
import json
import os
import os.path as osp
import sys
import time
from types import SimpleNamespace

import pytest
import torch
import torch.nn as nn
from torch.profiler import record_function

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TOOLS = osp.join(ROOT, 'tools')
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)
import benchmark_common as bc  # noqa: E402


def _tool(name):
    spec = importlib.util.spec_from_file_location(
        name, osp.join(TOOLS, f'{name}.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ------------------------------------------------------------ attribution
def _iteration(t, thread=1):
    """Ranges of one synthetic iteration starting at ``t`` (us)."""
    E = bc.Event
    r = [
        ('bench.iteration', 0, 1000), ('bench.data', 0, 100),
        ('bench.loss', 100, 700),
        ('mmssl.a', 110, 400), ('bench.net.teacher', 150, 350),
        ('mmssl.b', 400, 650), ('bench.net.student', 420, 480),
        ('mmssl.c', 500, 600),
        ('bench.parse_losses', 700, 720), ('bench.backward_step', 720, 950),
        ('bench.ema', 950, 980), ('bench.ramp', 980, 990)
    ]
    return [E(n, t + a, t + b, thread) for n, a, b in r]


def test_attribute_exact_ranges():
    events = _iteration(0) + _iteration(5000)
    # another thread without iterations is ignored
    events.append(bc.Event('mmssl.a', 0, 100000, thread=2))
    p = bc.attribute(events)
    us = 1e-6
    assert p.iterations == 2
    assert p.iteration == pytest.approx(1000 * us)
    assert p.steps == pytest.approx({'mmssl.a': 290 * us,
                                     'mmssl.b': 150 * us,
                                     'mmssl.c': 100 * us})
    assert p.steps_in_net == pytest.approx({'mmssl.a': 200 * us,
                                            'mmssl.b': 60 * us})
    assert p.calls == {'mmssl.a': 1, 'mmssl.b': 1, 'mmssl.c': 1}
    assert p.networks == pytest.approx({'teacher': 200 * us,
                                        'student': 60 * us})
    assert p.loss_glue == pytest.approx(60 * us)
    assert p.phases['bench.backward_step'] == pytest.approx(230 * us)
    # model.loss outside the networks + parsing + EMA + ramp
    assert p.specific == pytest.approx((600 - 260 + 20 + 30 + 10) * us)
    assert p.share == pytest.approx(0.4)
    text = bc.step_report(p, {'mmssl.c': 0.05, 'mmssl.x': 0.01})
    assert 'mmssl-specific share: 40.00 % (ABOVE the 5 % budget)' in text
    assert 'mmssl.c share: 10.00 % (ABOVE the 5 % budget)' in text
    assert 'mmssl.x: no such step' in text
    assert bc.attribute([]).iterations == 0


def test_model_code_outside_module_calls():
    """Ops that model-zoo model code runs between module calls (a head's
    resize in loss_by_feat) are network time inside model.loss, not
    mmssl's; a network call around them wins."""
    def ev(name, parent=None):
        return SimpleNamespace(name=name, cpu_parent=parent)

    step = ev('mmssl.loss_sup')
    head = ev('mmseg/models/decode_heads/decode_head.py(291): '
              'loss_by_feat', ev('/x/mmssl/models/seg.py(3): loss_sup', step))
    util = ev('mmseg/models/utils/wrappers.py(9): resize',
              ev('/x/mmssl/models/seg.py(9): make_pseudo_targets', step))
    inner = ev('mmdet/models/dense_heads/x.py(1): f',
               ev('bench.net.student', step))
    assert bc._in_model_code(ev('aten::upsample_bilinear2d', head))
    assert not bc._in_model_code(ev('aten::upsample_bilinear2d', util))
    assert not bc._in_model_code(ev('aten::add', inner))
    E, M = bc.Event, bc.MODEL_CODE
    events = [E('bench.iteration', 0, 100), E('bench.data', 0, 10),
              E(M, 2, 8),  # preprocess-like model code: not counted
              E('bench.loss', 10, 90), E('mmssl.s', 10, 90),
              E(M, 20, 40), E('bench.net.student', 30, 50),
              E(M, 35, 45)]
    p = bc.attribute(events)
    assert p.networks == pytest.approx({'model code': 10e-6,
                                        'student': 20e-6})
    assert p.steps_in_net['mmssl.s'] == pytest.approx(30e-6)
    assert p.specific == pytest.approx(50e-6)
    assert 'model code outside module calls' in bc.step_report(p)


def test_parse_budgets():
    assert bc.parse_budgets(None, {'mmssl.x': 0.02}) == {'mmssl.x': 0.02}
    assert bc.parse_budgets(['mmssl.y=1.5']) == {'mmssl.y': 0.015}
    assert bc.parse_budgets([]) == {}


# ------------------------------------------------- real profiler, fake model
class _Sleep(nn.Module):

    def __init__(self, secs):
        super().__init__()
        self.secs = secs
        self.inner = nn.Identity()

    def forward(self, x):
        time.sleep(self.secs)
        return self.inner(x)  # a nested module call: one network range


class _FakeSemi(nn.Module):
    """Steps that sleep known durations in ``mmssl.*`` ranges."""

    def __init__(self):
        super().__init__()
        self.teacher = _Sleep(0.02)
        self.student = _Sleep(0.01)
        self.w = nn.Parameter(torch.ones(()))
        self.unsup_weight = 0.0

    def data_preprocessor(self, data, training):
        return dict(inputs=data, data_samples=[])

    def loss(self, inputs, data_samples):
        with record_function('mmssl.make_pseudo_targets'):
            time.sleep(0.01)  # mmssl's own work
            self.teacher(inputs)  # network
        with record_function('mmssl.student_forward'):
            out = self.student(inputs)
            with record_function('mmssl.nested'):
                time.sleep(0.015)
        return dict(loss=(out * self.w).sum())

    def parse_losses(self, losses):
        return losses['loss'], dict(n=1.0)


def test_profile_training_times_steps_from_events(capsys):
    model = _FakeSemi()
    optim = SimpleNamespace(update_params=lambda loss: loss.backward())
    data = iter([torch.ones(2)] * 10)
    seen = []
    prof = bc.profile_training(
        model, data, optim, iters=3, warmup=1,
        ema=lambda t, s: time.sleep(0.005), ramp=lambda i: 0.5,
        on_iteration=lambda i, log, timed: seen.append((i, timed)))
    assert seen == [(0, False), (1, True), (2, True), (3, True)]
    assert model.unsup_weight == 0.5
    assert prof.iterations == 3
    ms = 1e-3
    slack = 15 * ms  # sleep overshoot on a loaded machine

    def near(value, expected):
        return expected - 1 * ms <= value <= expected + slack

    s, n = prof.steps, prof.steps_in_net
    assert set(s) == {'mmssl.make_pseudo_targets', 'mmssl.student_forward',
                      'mmssl.nested'}
    assert near(s['mmssl.make_pseudo_targets'], 30 * ms)
    assert near(n['mmssl.make_pseudo_targets'], 20 * ms)
    assert near(s['mmssl.student_forward'], 10 * ms)  # nested excluded
    assert near(n['mmssl.student_forward'], 10 * ms)
    assert near(s['mmssl.nested'], 15 * ms)
    assert n.get('mmssl.nested', 0.0) < 1 * ms
    assert near(prof.networks['teacher'], 20 * ms)
    assert near(prof.networks['student'], 10 * ms)
    # mmssl's own: 10 (pseudo-targets) + 15 (nested) + 5 (EMA)
    assert near(prof.specific, 30 * ms)
    assert near(prof.iteration, 60 * ms)  # 10 + 20 + 10 + 15 + 5
    out = capsys.readouterr().out
    assert '[step-bench] step 1/4 (warm-up), eta' in out
    assert '[step-bench] step 4/4 (timed), eta 0:00:00' in out
    # the hooks are gone afterwards
    assert not model.teacher._forward_hooks
    assert not model.teacher._forward_pre_hooks


def test_profile_training_retries_without_stacks(monkeypatch, capsys):
    """An unreadable profile with Python stacks (a torch profiler bug) is
    timed again without stacks; the report says the share is then an
    upper bound."""
    real = bc.profiler_events
    calls = []

    def flaky(prof):
        calls.append(prof)
        if len(calls) == 1:
            b'\xa0'.decode()
        return real(prof)

    monkeypatch.setattr(bc, 'profiler_events', flaky)
    optim = SimpleNamespace(update_params=lambda loss: loss.backward())
    prof = bc.profile_training(_FakeSemi(), iter([torch.ones(2)] * 4),
                               optim, iters=1)
    assert len(calls) == 2 and not prof.with_stack
    assert prof.steps['mmssl.nested'] >= 14e-3
    assert 'unreadable' in capsys.readouterr().out
    assert 'an upper bound' in bc.step_report(prof)


# ----------------------------------------------------- learning stage loop
class _Loop(bc.LearningBenchmark):
    warmup_config = 'warm.py'
    configs = dict(base='base.py', semi='semi.py')
    init_key = dict(base='model.init_cfg.checkpoint',
                    semi='model.segmentor.init_cfg.checkpoint')

    def has_warmup(self):
        return bool(self.args.warmup_iters)

    def prepare_data(self, data_seed):
        return f'root{data_seed}/'

    def run_tag(self, data_seed, seed):
        return f'data{data_seed}_seed{seed}'

    def train_opts(self, st):
        opts = [f'train_cfg.max_iters={st.iters}']
        if st.stage != 'warmup':
            opts += self.init_opts(st.stage, st.warm_ckpt)
        return opts

    def test_opts(self, cs_root):
        return [f'data_root={cs_root}']

    def parse_test(self, text):
        return dict(mIoU=float(text.split('mIoU: ')[1].split()[0]))

    def describe(self, st, rec):
        return f'{st.stage} {rec["mIoU"]}'

    def report(self, results, pairs, stages):
        return dict(summary=len(results))


class _FakeRun:
    """Stands for ``tools/train.py`` / ``tools/test.py``: training writes
    the checkpoint (a little in the past, so that a test log written next
    is newer), testing writes a log with a metric line."""

    def __init__(self, fail=()):
        self.calls, self.fail = [], fail

    def __call__(self, cmd, log, label=None):
        tool, cfg = cmd[1], cmd[2]
        opts = cmd[cmd.index('--cfg-options') + 1:]
        self.calls.append((tool, cfg, opts))
        if cfg in self.fail:
            raise bc.RunFailed(f'{cfg} broke')
        if tool == 'tools/train.py':
            wd = cmd[cmd.index('--work-dir') + 1]
            iters = [o for o in opts if o.startswith('train_cfg.max_iters=')]
            ckpt = osp.join(wd, f'iter_{iters[0].split("=")[1]}.pth')
            with open(ckpt, 'w') as f:
                f.write('x')
            past = time.time() - 5
            os.utime(ckpt, (past, past))
            text = 'Iter(train) [ 1/1] eta: 0:00:00\n'
        else:
            text = 'Iter(test) [1/1] mIoU: 12.5 aAcc: 50.0\n'
        with open(log, 'w') as f:
            f.write(text)
        return text

    def count(self, tool):
        return sum(c[0] == f'tools/{tool}.py' for c in self.calls)


def _loop_args(work, **kw):
    args = dict(data_seeds=[0], seeds=[0, 1], methods=['base', 'semi'],
                warmup_iters=2, iters=1, work_dir=str(work), force=False,
                log_interval=None)
    args.update(kw)
    return SimpleNamespace(**args)


def test_stage_loop_reuses_finished_runs(tmp_path, monkeypatch, capsys):
    work = tmp_path / 'work'
    fake = _FakeRun()
    monkeypatch.setattr(bc, 'run', fake)
    assert _Loop(_loop_args(work)).run() == 0
    assert fake.count('train') == fake.count('test') == 6
    # methods start from their seed's warm-up checkpoint
    semi = [c for c in fake.calls if c[:2] == ('tools/train.py', 'semi.py')]
    ckpt = osp.join(str(work), 'warmup2_data0_seed1', 'iter_2.pth')
    assert semi[1][2][-1] == f'model.segmentor.init_cfg.checkpoint={ckpt}'
    res = json.loads((work / 'results.json').read_text())
    assert res['complete'] and len(res['runs']) == 6 and res['summary'] == 6
    assert not [p for p in os.listdir(work) if '.tmp' in p]
    assert res['settings']['configs']['warmup'] == 'warm.py'
    capsys.readouterr()

    # again: every run and every test is reused
    fake.calls.clear()
    assert _Loop(_loop_args(work)).run() == 0
    assert fake.calls == []
    res = json.loads((work / 'results.json').read_text())
    assert all(r['reused'] and r['test_secs'] is None for r in res['runs'])
    assert all(r['mIoU'] == 12.5 for r in res['runs'])
    out = capsys.readouterr().out
    assert '[bench] run 6/6: data0 seed1 semi' in out
    assert 'reusing its test' in out

    # a warm-up checkpoint newer than its methods' checkpoints (and than
    # its own test log): the methods are retrained, the three retested
    warm = work / 'warmup2_data0_seed0' / 'iter_2.pth'
    now = time.time() + 10
    os.utime(warm, (now, now))
    assert _Loop(_loop_args(work)).run() == 0
    assert [c[1] for c in fake.calls if c[0] == 'tools/train.py'] == [
        'base.py', 'semi.py']
    assert fake.count('test') == 3

    # --force retrains everything
    fake.calls.clear()
    assert _Loop(_loop_args(work, force=True)).run() == 0
    assert fake.count('train') == 6


def test_stage_loop_records_failures(tmp_path, monkeypatch, capsys):
    work = tmp_path / 'work'
    fake = _FakeRun(fail=('warm.py', ))
    monkeypatch.setattr(bc, 'run', fake)
    assert _Loop(_loop_args(work, seeds=[0])).run() == 1
    res = json.loads((work / 'results.json').read_text())
    assert not res['complete'] and res['runs'] == []
    assert [f['error'] for f in res['failed']] == [
        'warm.py broke', 'no warm-up', 'no warm-up']
    # without a warm-up stage, methods start from random init
    fake = _FakeRun()
    monkeypatch.setattr(bc, 'run', fake)
    assert _Loop(_loop_args(work, seeds=[0], warmup_iters=0)).run() == 0
    assert [c[1] for c in fake.calls if c[0] == 'tools/train.py'] == [
        'base.py', 'semi.py']
    assert fake.calls[-2][2][-1] == 'model.segmentor.init_cfg=None'


def test_run_echoes_progress(tmp_path, capsys):
    line = ('mmengine - INFO - Iter(train) [ 25/300]  lr: 1e-2  '
            'eta: 0:03:10  time: 0.5')
    text = bc.run([sys.executable, '-c', f'print({line!r})'],
                  str(tmp_path / 'log'), 'data0 seed0 warmup')
    assert line in text
    assert '[bench] data0 seed0 warmup: step 25/300, eta 0:03:10' in \
        capsys.readouterr().out
    with pytest.raises(bc.RunFailed, match='last lines'):
        bc.run([sys.executable, '-c', 'raise SystemExit(3)'],
               str(tmp_path / 'log2'))


# -------------------------------------- the tools' overrides are unchanged
def _train_calls(tool, argv, monkeypatch, tmp_path):
    mod = _tool(tool)
    fake = _FakeRun()
    monkeypatch.setattr(bc, 'run', fake)
    cls = [v for v in vars(mod).values() if isinstance(v, type) and
           issubclass(v, bc.LearningBenchmark) and v is not
           bc.LearningBenchmark][0]
    monkeypatch.setattr(cls, 'prepare_data',
                        lambda self, d: bc.data_root_for(d)[1])
    if tool == 'benchmark_learning':
        monkeypatch.setattr(cls, 'parse_test',
                            lambda self, text: dict(mIoU=1.0, aAcc=2.0))
    else:
        monkeypatch.setattr(cls, 'parse_test', lambda self, text: {
            k: 1.0 for k in mod.METRICS})
    assert mod.main(argv + ['--work-dir', str(tmp_path)]) == 0
    return [c for c in fake.calls if c[0] == 'tools/train.py']


def test_learning_tool_overrides(tmp_path, monkeypatch, capsys):
    calls = _train_calls('benchmark_learning', [
        '--warmup-iters', '3', '--iters', '2', '--methods', 'baseline',
        'dense_fixmatch', '--log-interval', '1', '--cfg-options', 'a=1'
    ], monkeypatch, tmp_path)
    root = 'data/synthetic/cityscapes/'
    sched = ['train_cfg.max_iters={0}', 'train_cfg.val_interval={0}',
             'default_hooks.checkpoint.interval={0}',
             'param_scheduler.0.end={0}']
    evals = [f'val_dataloader.dataset.data_root={root}',
             f'test_dataloader.dataset.data_root={root}']
    warm = osp.join(str(tmp_path), 'warmup3_l8_data0_seed0', 'iter_3.pth')
    split = 'splits/8/split0'
    assert [c[2] for c in calls] == [
        [s.format(3) for s in sched] + [
            'randomness.seed=0',
            f'train_dataloader.dataset.ann_file={split}/labeled.txt',
            f'train_dataloader.dataset.data_root={root}'
        ] + evals + ['default_hooks.logger.interval=1'],
        [s.format(2) for s in sched] + [
            'randomness.seed=0',
            f'train_dataloader.dataset.ann_file={split}/labeled.txt',
            f'train_dataloader.dataset.data_root={root}'
        ] + evals + ['default_hooks.logger.interval=1',
                     f'model.init_cfg.checkpoint={warm}', 'a=1'],
        [s.format(2) for s in sched] + [
            'randomness.seed=0',
            f'train_dataloader.dataset.labeled.ann_file={split}/'
            'labeled.txt',
            f'train_dataloader.dataset.unlabeled.ann_file={split}/'
            'unlabeled.txt',
            f'train_dataloader.dataset.labeled.data_root={root}',
            f'train_dataloader.dataset.unlabeled.data_root={root}'
        ] + evals + ['default_hooks.logger.interval=1',
                     f'model.segmentor.init_cfg.checkpoint={warm}', 'a=1'],
    ]
    out = capsys.readouterr().out
    assert 'data 0 seed 0 dense_fixmatch  mIoU   1.00 aAcc   2.00' in out
    res = json.loads((tmp_path / 'results.json').read_text())
    assert set(res) >= {'summary', 'per_class', 'settings', 'runs'}


def test_multitask_tool_overrides(tmp_path, monkeypatch, capsys):
    calls = _train_calls('benchmark_multitask', [
        '--warmup-iters', '3', '--iters', '2', '--data-seeds', '1',
        '--methods', 'dense_fixmatch', '--results', 'r1.json',
        '--cfg-options', 'a=1'
    ], monkeypatch, tmp_path)
    root = 'data/synthetic_data1/cityscapes/'
    split = 'splits/multitask/d-8-24/split0'
    ann = osp.join(root, 'annotations/multitask_gtFine_val.json')
    evals = [f'val_dataloader.dataset.data_root={root}',
             f'test_dataloader.dataset.data_root={root}',
             f'val_evaluator.det_metric.ann_file={ann}',
             f'test_evaluator.det_metric.ann_file={ann}']

    def sched(n):
        return [f'train_cfg.max_iters={n}', f'train_cfg.val_interval={n}',
                f'train_cfg.val_begin={n + 1}',
                f'default_hooks.checkpoint.interval={n}',
                'default_hooks.checkpoint.save_best=None',
                f'param_scheduler.0.end={n}', 'randomness.seed=0']

    def data(keys):
        return [f'{k}.{n}={v}' for k in keys for n, v in (
            ('data_root', root), ('seg_split', f'{split}/seg_labeled.txt'),
            ('det_split', f'{split}/det_labeled.txt'))]

    warm = osp.join(str(tmp_path), 'warmup3_d-8-24_data1_seed0',
                    'iter_3.pth')
    assert [c[2] for c in calls] == [
        sched(3) + data(['train_dataloader.dataset']) + evals,
        sched(2) + data(['train_dataloader.dataset.labeled',
                         'train_dataloader.dataset.unlabeled']) + evals +
        [f'model.model.init_cfg.checkpoint={warm}', 'a=1'],
    ]
    res = json.loads((tmp_path / 'r1.json').read_text())
    assert res['complete'] and 'dense_fixmatch' in res['summary']
    assert 'results in ' in capsys.readouterr().out

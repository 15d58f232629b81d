"""``tools/benchmark_step_official_unimatch.py`` without the official
repository (fast): the timing from outside a training loop (optimizer step
wrapper, data-iterator wrapper, warm-up discarded, the private stop
exception) on a fake optimizer and clock, the statistics and ratio, the
alternation, the official id lists / config and the argument checks."""
import importlib.util
import json
import os.path as osp
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TOOLS = osp.join(ROOT, 'tools')


def _tool():
    if TOOLS not in sys.path:
        sys.path.insert(0, TOOLS)
    spec = importlib.util.spec_from_file_location(
        'benchmark_step_official_unimatch',
        osp.join(TOOLS, 'benchmark_step_official_unimatch.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


tool = _tool()


class FakeClock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


class FakeOptimizer:
    def __init__(self):
        self.steps = 0

    def step(self):
        self.steps += 1
        return 'stepped'


def _loop(timer, clock, opt, data_secs, compute_secs, n_max=100):
    """A training loop as the official one: next(batch), compute, step;
    the batch source advances the clock by its data time."""

    def source():
        for b in range(n_max):
            clock.t += data_secs[b % len(data_secs)]
            yield b

    for b in timer.wrap_iterator(source()):
        clock.t += compute_secs[b % len(compute_secs)]
        assert opt.step() == 'stepped'


def test_step_wrapper_times_iterations_and_stops():
    clock, opt = FakeClock(), FakeOptimizer()
    timer = tool.StepTimer(iters=3, warmup=2, clock=clock)
    timer.wrap_optimizer(opt)
    with pytest.raises(tool.StopBenchmark):
        _loop(timer, clock, opt, data_secs=[0.5, 0.25],
              compute_secs=[2.0, 3.0])
    # 2 warm-up steps (the first only starts the clock), then 3 timed
    assert opt.steps == 5
    # iterations 2, 3, 4: data 0.5 / 0.25 / 0.5, compute 2 / 3 / 2
    assert timer.totals == pytest.approx([2.5, 3.25, 2.5])
    assert timer.data == pytest.approx([0.5, 0.25, 0.5])
    assert timer.compute == pytest.approx([2.0, 3.0, 2.0])
    assert timer.done


def test_timer_without_stop_and_bad_warmup():
    clock = FakeClock()
    timer = tool.StepTimer(iters=2, warmup=1, clock=clock, stop=False)
    for dt in (1.0, 2.0, 4.0):
        clock.t += dt
        timer.mark()
    assert timer.done and timer.totals == [2.0, 4.0]
    assert timer.data == [0.0, 0.0]
    with pytest.raises(ValueError):
        tool.StepTimer(iters=2, warmup=0)
    # an exhausted data iterator ends the wrapped one
    assert list(tool.StepTimer(1).wrap_iterator([1, 2])) == [1, 2]


def test_summary_and_ratio():
    rounds = dict(
        official=[dict(totals=[4.0, 5.0, 6.0], data=[1.0, 1.0, 1.0]),
                  dict(totals=[5.0, 7.0, 9.0], data=[0.0, 0.0, 0.0])],
        mmssl=[dict(totals=[2.0, 3.0, 4.0], data=[0.5, 0.5, 0.5]),
               dict(totals=[3.0, 3.5, 4.0], data=[0.0, 0.0, 0.0])])
    s = tool.summarise(rounds)
    assert s['official']['total']['median'] == 5.5
    assert s['official']['total']['n'] == 6
    assert s['official']['total']['min'] == 4.0
    assert s['official']['total']['max'] == 9.0
    assert s['official']['total']['p25'] == pytest.approx(5.0)
    assert s['official']['round_medians'] == [5.0, 7.0]
    assert s['mmssl']['total']['median'] == 3.25
    assert s['ratio']['total'] == pytest.approx(3.25 / 5.5)
    # compute = total - data wait: official 3 4 5 5 7 9, mmssl 1.5 2.5 3.5 3
    # 3.5 4
    assert s['ratio']['compute'] == pytest.approx(3.25 / 5.0)
    assert s['ratio']['per_round'] == pytest.approx([3.0 / 5.0, 3.5 / 7.0])
    assert s['ratio']['per_round_compute'] == pytest.approx(
        [2.5 / 4.0, 3.5 / 7.0])


def test_alternation_and_quantile():
    assert tool.alternation(2) == ['official', 'mmssl', 'official', 'mmssl']
    assert tool._quantile([1.0, 2.0, 3.0, 4.0], 0.25) == pytest.approx(1.75)
    assert tool.spread([])['n'] == 0


def test_official_inputs(tmp_path):
    assert tool.official_id_lines(['2007_000032'], True) == [
        'JPEGImages/2007_000032.jpg SegmentationClass/2007_000032.png']
    assert tool.official_id_lines(['a'], False) == [
        'JPEGImages/a.jpg SegmentationClassAug/a.png']
    args = tool.parse_args([
        '--official-repo', str(tmp_path), '--depth', '101', '--crop', '161',
        '--batch', '3', '--data-dir', str(tmp_path / 'd')])
    cfg = json.loads(json.dumps(tool.official_config(args)))
    assert cfg['backbone'] == 'resnet101' and cfg['crop_size'] == 161
    assert cfg['batch_size'] == 3 and cfg['nclass'] == 21
    assert cfg['replace_stride_with_dilation'] == [False, False, True]
    assert cfg['data_root'] == args.voc_root
    assert osp.isabs(args.data_dir)
    cmd = tool._worker_cmd(args, ['--crop', '161'], 'mmssl', 'o.json')
    assert cmd[-4:] == ['--worker', 'mmssl', '--worker-out', 'o.json']
    assert cmd[cmd.index('--data-dir') + 1] == args.data_dir
    with pytest.raises(SystemExit):
        tool.parse_args(['--official-repo', '.', '--warmup', '0'])

"""tools/benchmark_regime.py: the run plan (every arm from its (dataset,
split)'s stage-1 checkpoint, the same budget; the offline DARS rounds as one
tools/dars_rounds.py job from it), the regime summary and the overall ETA,
without training."""
import os
import os.path as osp
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(REPO, 'tools'))
import benchmark_regime as br  # noqa: E402


@pytest.fixture(scope='module')
def jobs():
    args = br.parse_args(['--data-seeds', '0', '3', '--splits', '1-8',
                          '1-4', '--stage1-iters', '60', '--iters', '15',
                          '--mt-stage1-iters', '60',
                          '--work-dir', 'wd'])
    return args, br.plan(args)


def opt(job, key):
    found = [o.split('=', 1)[1] for o in job.opts if o.startswith(key + '=')]
    assert len(found) == 1, (job.key, key, found)
    return found[0]


def test_plan_order_and_budget(jobs):
    args, jobs = jobs
    # the DARS rounds are arms by default, run as one job ('dars') where
    # the first of them is
    assert {'dars_r1', 'dars_r2'} <= set(args.arms)
    arms = [a for a in br.ARMS if a != 'dars_r2' and a not in br.MT_ARMS
            and a not in br.OPTIONAL]
    arms[arms.index('dars_r1')] = 'dars'
    expected = []
    for d in (0, 3):
        expected.append(f'data{d} all all_labels')
        for split in ('1-8', '1-4'):
            expected += [f'data{d} {split} stage1'] + [
                f'data{d} {split} {a}' for a in arms]
            # the multi-task stage 1 and arms (tests/
            # test_cpu_benchmark_multitask.py)
            expected += [f'data{d} {split} {a}'
                         for a in ['mt_stage1', *br.MT_ARMS]
                         if a not in br.OPTIONAL]
    assert [j.key for j in jobs] == expected
    for j in jobs:
        want = dict(stage1=60, mt_stage1=60, all_labels=75).get(j.arm, 15)
        # every run (every DARS round) trains --iters after stage 1
        assert j.iters == want == int(opt(j, 'train_cfg.max_iters'))
        assert opt(j, 'param_scheduler.0.end') == str(want)
        assert j.steps == want * (2 if j.arm == 'dars' else 1)


def test_every_arm_starts_from_its_own_stage1(jobs):
    _, jobs = jobs
    for j in jobs:
        if j.task == 'multitask':
            continue
        if j.arm in ('stage1', 'all_labels', 'dars'):
            assert j.needs is None or j.arm == 'dars'
            continue
        d, split = j.data_seed, j.split
        ckpt = f'wd/stage1_60i_data{d}_{split}/iter_60.pth'
        key = 'model.segmentor.init_cfg' if j.semi else 'model.init_cfg'
        assert opt(j, key + '.checkpoint') == ckpt
        assert j.needs == f'data{d} {split} stage1'
        root = f'data/cpu_benchmark/data{d}/cityscapes/'
        part = ('train_dataloader.dataset.labeled' if j.semi
                else 'train_dataloader.dataset')
        assert opt(j, part + '.data_root') == root
        assert opt(j, part + '.ann_file') == f'splits/{split}/split0/' \
            'labeled.txt'
        assert opt(j, 'test_dataloader.dataset.data_root') == root
    semi = {j.arm for j in jobs if j.semi and j.task == 'seg'}
    assert semi == set(br.ARMS) - set(br.MT_ARMS) - set(br.OPTIONAL) - {
        'baseline', 'baseline_ema', 'dars_r1', 'dars_r2'} | {'dars'}
    dars = [j for j in jobs if j.arm == 'dense_fixmatch_dars'][0]
    target = 'model.semi_train_cfg.pseudo_label_filter.target'
    assert opt(dars, target + '.ann_file') == 'splits/1-8/split0/labeled.txt'
    full = jobs[0]
    assert opt(full, 'train_dataloader.dataset.ann_file') == ''


def test_unimatch_and_ablations_run_only_when_asked():
    args = br.parse_args(['--data-seeds', '0', '--splits', '1-8'])
    assert set(args.arms) == set(br.ARMS) - set(br.OPTIONAL)
    assert set(br.OPTIONAL) == {'unimatch', 'mt_fixmatch_star_soft_bg',
                                *br.ABLATIONS}
    args = br.parse_args(['--data-seeds', '0', '--splits', '1-8', '--arms',
                          'baseline', 'dense_fixmatch_geometric',
                          '--work-dir', 'wd', '--stage1-iters', '60'])
    abl = [j for j in br.plan(args) if j.arm == 'dense_fixmatch_geometric']
    assert len(abl) == 1 and abl[0].semi
    assert abl[0].needs == 'data0 1-8 stage1'
    assert opt(abl[0], 'model.segmentor.init_cfg.checkpoint') == \
        'wd/stage1_60i_data0_1-8/iter_60.pth'


def test_regime_summary_names_never_predicted_classes_and_the_gap():
    args = br.parse_args(['--data-seeds', '0', '--splits', '1-8'])
    recs = {
        'data0 1-8 stage1': dict(mIoU=30.0, per_class_iou=dict(
            road=90.0, pole=0.0, bus=5.0, car=None)),
        'data0 1-8 baseline': dict(mIoU=32.0),
        'data0 all all_labels': dict(mIoU=45.5),
    }
    out = br.regime_summary(recs, args)['data0/1-8']
    assert out['never_predicted'] == ['pole', 'car']
    assert out['weak_classes'] == ['bus']
    assert out['headroom'] == pytest.approx(13.5)
    assert out['baseline_arm'] == 'baseline'
    # the EMA baseline is the few-label reference when only it ran (the
    # main job), and the plain one is preferred when both did
    recs['data0 1-8 baseline_ema'] = dict(mIoU=33.0)
    assert br.regime_summary(recs, args)['data0/1-8']['headroom'] == \
        pytest.approx(13.5)
    del recs['data0 1-8 baseline']
    out = br.regime_summary(recs, args)['data0/1-8']
    assert (out['baseline_arm'], out['headroom']) == ('baseline_ema', 12.5)


def test_overall_eta_from_measured_steps(jobs):
    _, jobs = jobs
    eta = br.Eta(jobs[:3])  # all labels (75), stage 1 (60), baseline (15)
    assert eta.remaining() is None
    eta.done(jobs[0], dict(train_secs=70.0, test_secs=5.0, reused=False))
    assert eta.remaining() == pytest.approx((60 + 15) * 1.0)


def test_dars_job_runs_the_rounds_from_its_own_stage1(jobs):
    args, jobs = jobs
    dars = [j for j in jobs if j.arm == 'dars']
    assert len(dars) == 4  # 2 datasets x 2 splits
    stage1 = {j.key: j for j in jobs if j.arm == 'stage1'}
    for j in dars:
        d, split = j.data_seed, j.split
        s1 = stage1[f'data{d} {split} stage1']
        assert j.needs == s1.key
        # round 0 = the stage-1 job's checkpoint
        assert j.round0 == osp.join(s1.work_dir, 'iter_60.pth') == \
            f'wd/stage1_60i_data{d}_{split}/iter_60.pth'
        assert j.config == br.DARS_CONFIG == (
            'configs/cpu_benchmark/dars_deeplabv3plus_r18-d16_1xb8-'
            'explicit-cpu-stage2_synthcityscapes.py')
        assert (j.rounds, j.kind, j.semi) == (2, 'dars', True)
        assert j.work_dir == f'wd/dars_60i_15i_data{d}_{split}'
        root = f'data/cpu_benchmark/data{d}/cityscapes/'
        sd = f'splits/{split}/split0'
        # data, split and seed reach the rounds and the pseudo-labeling
        for part in ('train_dataloader.dataset', 'pseudo_label_cfg'):
            assert opt(j, part + '.labeled.data_root') == root
            assert opt(j, part + '.unlabeled.data_root') == root
            assert opt(j, part + '.labeled.ann_file') == sd + '/labeled.txt'
            assert opt(j, part + '.unlabeled.ann_file') == \
                sd + '/unlabeled.txt'
        assert opt(j, 'test_dataloader.dataset.data_root') == root
        assert opt(j, 'val_dataloader.dataset.data_root') == root
        assert opt(j, 'randomness.seed') == str(args.seed)
        assert opt(j, 'default_hooks.logger.interval') == \
            str(args.log_interval)
        assert opt(j, 'default_hooks.checkpoint.interval') == '15'
        # weights come from round k-1 (load_from), not an init_cfg
        assert not [o for o in j.opts if 'init_cfg' in o]
        # in the ETA: both rounds, at the DARS step cost
        assert j.cost == 30 * br.STEP_COST['dars']


@pytest.mark.parametrize('arms,order,rounds', [
    (['dars_r2'], ['stage1', 'dars'], 2),
    (['baseline', 'dars_r1'], ['stage1', 'baseline', 'dars'], 1),
    (['dars_r1', 'baseline', 'dars_r2'], ['stage1', 'dars', 'baseline'], 2)])
def test_dars_rounds_selected_alone_still_run_from_round_1(arms, order,
                                                           rounds):
    args = br.parse_args(['--data-seeds', '0', '--splits', '1-8',
                          '--no-all-labels', '--arms', *arms])
    jobs = br.plan(args)
    assert [j.arm for j in jobs] == order
    dars, = [j for j in jobs if j.arm == 'dars']
    # round 2 needs round 1: one job of as many rounds as the last selected
    assert dars.rounds == rounds
    assert dars.steps == args.iters * rounds


def test_dars_round0_must_be_the_stage1_config(tmp_path):
    br.check_dars_round0()  # the shipped config
    bad = tmp_path / 'dars_bad.py'
    other = osp.join(REPO, br.ARMS['dense_fixmatch'])
    bad.write_text(f"_base_ = ['{osp.join(REPO, br.DARS_CONFIG)}']\n"
                   f"dars = dict(round0_config='{other}')\n")
    with pytest.raises(ValueError, match='round0_config'):
        br.check_dars_round0(str(bad))


def _touch(path, mtime):
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w'):
        pass
    os.utime(path, (mtime, mtime))


def test_stale_dars_rounds_are_redone(tmp_path):
    job = br.Job('dars', 0, '1-8', br.DARS_CONFIG, 15, str(tmp_path / 'w'),
                 semi=True, rounds=2)
    r0 = str(tmp_path / 'stage1' / 'iter_60.pth')

    def rounds(t0, t1, t2):
        for k, t in ((1, t1), (2, t2)):
            if t is not None:
                d = tmp_path / 'w' / f'round{k}'
                _touch(str(d / 'pseudo_labels' / 'summary.json'), t)
                _touch(str(d / 'iter_15.pth'), t)
        _touch(r0, t0)

    def left():
        return sorted(p for p in os.listdir(tmp_path / 'w'))

    rounds(100, 200, 300)  # fresh: both kept
    br.clear_stale_rounds(job, r0, force=False)
    assert left() == ['round1', 'round2']
    rounds(250, 200, 300)  # stage 1 retrained after round 1: both redone
    br.clear_stale_rounds(job, r0, force=False)
    assert left() == []
    rounds(100, 400, 300)  # round 1 retrained after round 2
    br.clear_stale_rounds(job, r0, force=False)
    assert left() == ['round1']
    rounds(100, 200, 300)
    br.clear_stale_rounds(job, r0, force=True)
    assert left() == []
    # round 1 interrupted before its checkpoint: round 2 is redone
    rounds(100, None, 300)
    _touch(str(tmp_path / 'w' / 'round1' / 'pseudo_labels' /
               'summary.json'), 200)
    br.clear_stale_rounds(job, r0, force=False)
    assert left() == ['round1']


def test_runs_from_the_backbone_are_retrained_after_new_data(
        tmp_path, monkeypatch):
    """Stage 1 and the all-label run are redone when the backbone or the
    dataset (its generator stamp, rewritten with the data) is newer than
    them; a stage-2 run when its stage-1 checkpoint is."""
    monkeypatch.setattr(br, 'ROOT', str(tmp_path))
    backbone = str(tmp_path / 'backbone.pth')
    stamp = str(tmp_path / br.data_root(2) / br.DATA_STAMP)
    s1 = br.Job('stage1', 2, '1-8', br.STAGE1, 60, 'wd/s1')
    all_labels = br.Job('all_labels', 2, '', br.STAGE1, 75, 'wd/all')
    _touch(backbone, 100)
    assert br.retrain_after(s1, {}, backbone) == backbone  # no data yet
    _touch(stamp, 200)  # data made (again) after the backbone
    assert br.retrain_after(s1, {}, backbone) == stamp
    assert br.retrain_after(all_labels, {}, backbone) == stamp
    _touch(backbone, 300)
    assert br.retrain_after(s1, {}, backbone) == backbone
    assert br.retrain_after(s1, {}, None) == stamp
    arm = br.Job('baseline', 2, '1-8', br.STAGE1, 15, 'wd/b', needs=s1.key)
    records = {s1.key: dict(checkpoint='wd/s1/iter_60.pth')}
    assert br.retrain_after(arm, records, backbone) == str(
        tmp_path / 'wd/s1/iter_60.pth')


def test_data_stamp_name_is_the_generators():
    from mmssl.datasets.synthetic.common import STAMP_NAME
    assert br.DATA_STAMP == STAMP_NAME


def test_overall_eta_counts_the_dars_rounds(jobs):
    _, jobs = jobs
    s1, dars = jobs[1], [j for j in jobs if j.arm == 'dars'][0]
    eta = br.Eta([s1, dars])
    eta.done(s1, dict(train_secs=60.0, test_secs=float('nan'),
                      reused=False))
    # 1 s per supervised step; 2 rounds of 15 DARS steps at their cost
    assert eta.remaining() == pytest.approx(30 * br.STEP_COST['dars'])
    eta = br.Eta([dars, s1])
    eta.done(dars, dict(train_secs=45.0, test_secs=15.0, reused=False))
    assert eta.remaining() == pytest.approx(
        60 * 2.0 / br.STEP_COST['dars'])


def test_overall_eta_prices_unimatch_steps_apart_from_the_other_arms():
    """UniMatch's step costs more than another semi-supervised arm's: the
    overall ETA scales the measured semi-supervised rate by STEP_COST, and
    a measured UniMatch rate is kept for UniMatch runs only."""
    args = br.parse_args(['--data-seeds', '0', '--splits', '1-8', '--arms',
                          'dense_fixmatch', 'unimatch', '--work-dir', 'wd',
                          '--stage1-iters', '60', '--iters', '15',
                          '--no-all-labels'])
    jobs = {j.arm: j for j in br.plan(args)}
    df, um = jobs['dense_fixmatch'], jobs['unimatch']
    assert (df.kind, um.kind) == ('semi', 'unimatch')
    assert um.cost == 15 * br.STEP_COST['unimatch'] > df.cost
    eta = br.Eta([df, um])
    eta.done(df, dict(train_secs=30.0, test_secs=float('nan'),
                      reused=False))
    # 2 s per Dense FixMatch step; UniMatch's at the cost ratio
    assert eta.remaining() == pytest.approx(
        15 * 2.0 * br.STEP_COST['unimatch'] / br.STEP_COST['semi'])
    eta = br.Eta([um, df])
    eta.done(um, dict(train_secs=60.0, test_secs=15.0, reused=False))
    assert eta.remaining() == pytest.approx(
        15 * 5.0 * br.STEP_COST['semi'] / br.STEP_COST['unimatch'])


def _parse_opts(opts):
    import argparse

    from mmengine.config import DictAction
    ns = argparse.Namespace()
    DictAction(option_strings=[], dest='o')(None, ns, opts)
    return ns.o


def _names_a_setting(cfg, key):
    """Whether ``key`` (dotted, as --cfg-options) names a setting of
    ``cfg``; only a Pretrained ``init_cfg`` may be created."""
    node = cfg
    parts = key.split('.')
    for i, p in enumerate(parts):
        if 'init_cfg' in parts[:i + 1]:
            return True
        if isinstance(node, (list, tuple)):
            if not (p.isdigit() and int(p) < len(node)):
                return False
            node = node[int(p)]
        elif hasattr(node, 'keys') and p in node:
            node = node[p]
        else:
            return False
    return True


def test_every_option_names_an_existing_setting():
    """A mistyped --cfg-options key would silently add a new entry and
    leave the run on the config's default (e.g. dataset 0's data)."""
    from mmengine import Config
    args = br.parse_args(['--data-seeds', '2', '--splits', '1-4',
                          '--work-dir', 'wd', '--pretrained', 'bb.pth'])
    cfgs = {}
    jobs = br.plan(args)
    assert {j.task for j in jobs} == {'seg', 'multitask'}
    for j in jobs:
        cfg = cfgs.setdefault(j.config,
                              Config.fromfile(osp.join(REPO, j.config)))
        for key in _parse_opts(j.opts):
            assert _names_a_setting(cfg, key), (j.key, key)
    assert not _names_a_setting(cfgs[br.STAGE1],
                                'train_dataloader.dataset.ann_fil')


def _fake_runs(monkeypatch, tmp_path, fail=()):
    """main() with every run replaced by a short sleep that logs when it
    ran; ``fail``: runs that fail."""
    import threading
    import time
    log, lock = [], threading.Lock()

    def execute(job, records, args, backbone):
        if job.needs:
            assert job.needs in records  # its stage 1 is done
        with lock:
            log.append(('start', job.key, time.monotonic()))
        time.sleep(0.15 if job.arm in ('stage1', 'all_labels') else 0.05)
        with lock:
            log.append(('end', job.key, time.monotonic()))
        if job.key in fail:
            raise br.RunFailed(f'{job.key} broke')
        rec = dict(mIoU=40.0, aAcc=90.0, per_class_iou=dict(road=90.0),
                   train_secs=1.0, test_secs=0.1, reused=False,
                   checkpoint=osp.join(job.work_dir, 'iter.pth'))
        return [(job.arm, rec, job.iters, job.work_dir)], rec

    monkeypatch.setattr(br, 'execute', execute)
    monkeypatch.setattr(br, 'prepare_data', lambda *a, **k: None)
    monkeypatch.setattr(br, 'ROOT', str(tmp_path))
    return log


def _main(tmp_path, *extra):
    return br.main(['--data-seeds', '0', '--splits', '1-8', '1-4',
                    '--arms', 'baseline', 'dense_fixmatch',
                    '--pretrained', 'none.pth', '--no-report',
                    '--work-dir', 'wd', *extra])


@pytest.mark.parametrize('jobs', [1, 2])
def test_parallel_runs_keep_the_plan_and_its_order(jobs, tmp_path,
                                                   monkeypatch):
    import json
    log = _fake_runs(monkeypatch, tmp_path)
    monkeypatch.setenv('OMP_NUM_THREADS', '2')
    assert _main(tmp_path, '--jobs', str(jobs)) == 0
    starts = [k for e, k, _ in log if e == 'start']
    args = br.parse_args(['--data-seeds', '0', '--splits', '1-8', '1-4',
                          '--arms', 'baseline', 'dense_fixmatch'])
    plan = [j.key for j in br.plan(args)]
    assert sorted(starts) == sorted(plan)
    at = {(e, k): t for e, k, t in log}
    # at most `jobs` at once; with one, exactly the plan's order
    events = sorted(log, key=lambda x: x[2])
    busy = peak = 0
    for e, _, _ in events:
        busy += 1 if e == 'start' else -1
        peak = max(peak, busy)
    assert peak == jobs
    if jobs == 1:
        assert starts == plan
    for j in br.plan(args):
        if j.needs:
            assert at[('start', j.key)] >= at[('end', j.needs)]
    with open(tmp_path / 'wd' / 'results.json') as f:
        res = json.load(f)
    assert res['complete']
    keys = [(r['data_seed'], r['split'], r['arm']) for r in res['runs']]
    # the results in plan order, whatever order the runs finished in (the
    # all-label run once per split)
    want = []
    for k in plan:
        d, split, arm = k.split(' ')
        want += [(0, s, arm) for s in (['1-8', '1-4'] if split == 'all'
                                       else [split])]
    assert keys == want
    # each of --jobs runs gets its share of the cores
    assert os.environ['OMP_NUM_THREADS'] == (
        '2' if jobs == 1 else str(max(1, (os.cpu_count() or 1) // 2)))


def test_a_failed_stage1_skips_its_arms_only(tmp_path, monkeypatch):
    import json
    log = _fake_runs(monkeypatch, tmp_path, fail={'data0 1-8 stage1'})
    assert _main(tmp_path, '--jobs', '2') == 1
    ran = {k for e, k, _ in log if e == 'start'}
    assert 'data0 1-8 baseline' not in ran
    assert {'data0 1-4 baseline', 'data0 1-4 dense_fixmatch'} <= ran
    with open(tmp_path / 'wd' / 'results.json') as f:
        res = json.load(f)
    assert {f['run'] for f in res['failed']} == {
        'data0 1-8 stage1', 'data0 1-8 baseline', 'data0 1-8 dense_fixmatch'}
    assert not res['complete']


def test_jobs_below_one_is_refused(capsys):
    with pytest.raises(SystemExit):
        br.parse_args(['--jobs', '0'])
    assert '--jobs must be >= 1, got 0' in capsys.readouterr().err


@pytest.mark.parametrize('arms,reference', [
    (['baseline', 'baseline_ema', 'dense_fixmatch'], 'baseline_ema'),
    (['baseline', 'dense_fixmatch'], 'baseline')])
def test_report_compares_with_the_ema_baseline_when_it_ran(
        arms, reference, tmp_path, monkeypatch):
    """The semi-supervised arms are evaluated with their EMA teacher: the
    report's reference is the EMA baseline whenever it is in the run."""
    import analysis_tools.benchmark_report as report
    _fake_runs(monkeypatch, tmp_path)
    seen = {}

    def write_report(results, md, prefix, **kw):
        seen.update(kw)
        return dict(md=md, png=[])

    monkeypatch.setattr(report, 'write_report', write_report)
    assert br.main(['--data-seeds', '0', '--splits', '1-8', '--arms',
                    *arms, '--pretrained', 'none.pth', '--work-dir', 'wd',
                    '--md', str(tmp_path / 'r.md')]) == 0
    assert seen['reference'] == dict(seg=reference, multitask='mt_baseline')
    assert set(arms) <= set(seen['arms'])


def test_another_train_set_size_has_its_own_data_and_runs():
    """--num-train: the data under data<d>_n<N>, every run tagged with it
    (so no run of the 96-image data is reused), the default unchanged; a
    split that does not divide it is refused."""
    args = br.parse_args(['--data-seeds', '0', '--splits', '1-8', '--arms',
                          'baseline', 'dense_fixmatch', 'dars_r1',
                          '--num-train', '384', '--work-dir', 'wd',
                          '--stage1-iters', '60', '--iters', '15'])
    root = 'data/cpu_benchmark/data0_n384/cityscapes/'
    jobs = br.plan(args)
    assert [j.arm for j in jobs] == ['all_labels', 'stage1', 'baseline',
                                     'dense_fixmatch', 'dars']
    for j in jobs:
        assert j.num_train == 384 and '_data0_n384' in j.work_dir
        assert osp.relpath(br.data_stamp(j), br.ROOT) == root + br.DATA_STAMP
        for key in ('train_dataloader.dataset.data_root',
                    'train_dataloader.dataset.labeled.data_root',
                    'train_dataloader.dataset.unlabeled.data_root',
                    'test_dataloader.dataset.data_root'):
            found = [o for o in j.opts if o.startswith(key + '=')]
            assert all(o == f'{key}={root}' for o in found)
        if j.arm not in ('all_labels', 'dars'):
            assert opt(j, 'test_dataloader.dataset.data_root') == root
    assert opt(jobs[3], 'model.segmentor.init_cfg.checkpoint') == \
        'wd/stage1_60i_data0_n384_1-8/iter_60.pth'
    assert br.data_root(0) == 'data/cpu_benchmark/data0/cityscapes/'
    with pytest.raises(SystemExit):
        br.parse_args(['--splits', '1-5', '--num-train', '96'])


def test_two_invocations_results_merge_into_one_report(tmp_path,
                                                       monkeypatch):
    """The runner's own results files of two invocations (other arms, one
    shared stage 1 and baseline) merge into one report: every run once, the
    shared ones from either file, both methods in the table. Only training
    is faked; the results files are written by main()."""
    import json
    import analysis_tools.benchmark_report as report
    _fake_runs(monkeypatch, tmp_path)
    common = ['--data-seeds', '0', '--splits', '1-8', '--pretrained',
              'none.pth', '--no-report', '--no-all-labels', '--work-dir',
              'wd']
    assert br.main(common + ['--arms', 'baseline', 'dense_fixmatch',
                             '--results-name', 'a.json']) == 0
    assert br.main(common + ['--arms', 'baseline', 'cutout',
                             '--results-name', 'b.json']) == 0
    paths = [str(tmp_path / 'wd' / n) for n in ('a.json', 'b.json')]
    files = [json.load(open(p)) for p in paths]
    arms = [[r['arm'] for r in f['runs']] for f in files]
    assert arms == [['stage1', 'baseline', 'dense_fixmatch'],
                    ['stage1', 'baseline', 'cutout']]
    merged = report.merge_results(paths)
    assert [r['arm'] for r in merged['runs']] == [
        'stage1', 'baseline', 'dense_fixmatch', 'cutout']
    assert merged['runs'][:3] == files[0]['runs']
    assert merged['runs'][3] == files[1]['runs'][2]
    md = tmp_path / 'merged.md'
    assert report.main([*paths, '--md', str(md)]) == 0
    lines = md.read_text().splitlines()
    table = lines[lines.index('| Arm | 1-8 | vs ref (wins) |') + 2:]
    table = table[:table.index('')]
    assert [ln.split(' | ')[0] for ln in table] == [
        '| stage1', '| baseline (ref)', '| dense_fixmatch', '| cutout']


def test_another_training_seed_never_reuses_seed_0s_runs():
    """Finished runs are recognised by their checkpoint's path, so every run
    of training seed 1 (stage 1, arms, DARS rounds, multi-task runs, the
    all-label run) has its own work dir, and seed 0 keeps its names."""
    argv = ['--data-seeds', '0', '--splits', '1-8', '--arms', 'baseline',
            'dense_fixmatch', 'dars_r1', 'mt_baseline', 'mt_dense_fixmatch']
    dirs = {s: [j.work_dir for j in br.plan(br.parse_args(
        argv + ['--seed', str(s)]))] for s in (0, 1)}
    assert len(dirs[0]) == len(dirs[1]) >= 6
    assert not set(dirs[0]) & set(dirs[1])
    assert all('_seed1' in d for d in dirs[1])
    assert not any('seed' in d for d in dirs[0])
    assert 'work_dirs/benchmark_regime/stage1_1500i_data0_1-8' in dirs[0]
    assert 'work_dirs/benchmark_regime/stage1_1500i_data0_seed1_1-8' in dirs[1]


def test_table_reads_few_labels_then_semi_then_all_labels(capsys):
    """Whatever order --arms names them in, the table lists the few-label
    supervised rows, then the semi-supervised ones, then all labels."""
    args = br.parse_args(['--data-seeds', '0', '--splits', '1-8', '--arms',
                          'cutout', 'baseline_ema'])
    runs = [dict(arm=a, split='1-8', mIoU=m, aAcc=90.0, semi=s,
                 work_dir='wd/none')
            for a, m, s in [('stage1', 61.0, False), ('cutout', 64.0, True),
                            ('baseline_ema', 62.0, False),
                            ('all_labels', 74.0, False)]]
    br.print_table(runs, args, 60.0)
    lines = capsys.readouterr().out.splitlines()
    rows = [next(k for k, ln in enumerate(lines)
                 if ln.startswith(br.LABELS[a] + ' '))
            for a in ('stage1', 'baseline_ema', 'cutout', 'all_labels')]
    assert rows == sorted(rows)
    # the semi-supervised row names its unlabeled images and its steps
    assert '(+84 unlabeled)' in lines[rows[2]]
    assert '1500+600' in lines[rows[2]]

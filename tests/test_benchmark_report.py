"""tools/analysis_tools/benchmark_report.py: statistics over data seeds,
paired changes and wins, per-class losses, the markdown tables, the bar
plots and the CLI, on small hand-made run lists."""
import importlib.util
import json
import os
import os.path as osp
import statistics
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TOOL = osp.join(ROOT, 'tools', 'analysis_tools', 'benchmark_report.py')


@pytest.fixture(scope='module')
def br():
    spec = importlib.util.spec_from_file_location('benchmark_report', TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


SPLITS = ('1-8', '1-4')
SEEDS = (0, 1, 2)
# seg mIoU per split, one value per data seed
BASE = {'1-8': [50.0, 52.0, 54.0], '1-4': [60.0, 61.0, 62.0]}
DFM = {'1-8': [54.0, 55.0, 56.0], '1-4': [59.0, 62.0, 64.0]}
ALL = {'1-8': [70.0, 70.0, 70.0], '1-4': [71.0, 71.0, 71.0]}
# per-class change of dense_fixmatch vs baseline, pairs in order
# (split, data seed) = (1-8,0) (1-8,1) (1-8,2) (1-4,0) (1-4,1) (1-4,2)
SIDEWALK = [-9.0, -5.0, -7.0, -6.0, -8.0, -7.0]   # mean -7: named
CAR = [-6.0, -3.0, -3.0, -2.0, -2.0, -2.0]        # mean -3: not named
BASE_CLS = {'road': 90.0, 'sidewalk': 60.0, 'car': 80.0}
# multitask (mIoU, bbox_mAP, bbox_mAP_50) per split, data seeds 0, 1
MT_BASE = {'1-8': [(40.0, 20.0, 40.0), (42.0, 22.0, 42.0)],
           '1-4': [(45.0, 25.0, 45.0), (47.0, 27.0, 47.0)]}
MT_FM = {'1-8': [(41.0, 21.0, 43.0), (41.0, 23.0, 44.0)],
         '1-4': [(46.0, 24.0, 46.0), (49.0, None, 48.0)]}


def _runs():
    runs = []
    for arm, table in (('baseline', BASE), ('dense_fixmatch', DFM),
                       ('all_labels', ALL)):
        for i, split in enumerate(SPLITS):
            for d in SEEDS:
                run = dict(arm=arm, data_seed=d, split=split, seed=0,
                           task='seg', mIoU=table[split][d], aAcc=90.0,
                           train_secs=10.0)
                if arm == 'baseline':
                    run['per_class'] = dict(BASE_CLS)
                elif arm == 'dense_fixmatch':
                    k = 3 * i + d
                    run['per_class'] = dict(
                        road=91.0, sidewalk=60.0 + SIDEWALK[k],
                        car=80.0 + CAR[k])
                runs.append(run)
    # a second training seed of dense_fixmatch without mIoU: skipped
    runs.append(dict(arm='dense_fixmatch', data_seed=0, split='1-8', seed=1,
                     task='seg', mIoU=None, per_class=None))
    for arm, table in (('mt_baseline', MT_BASE), ('mt_fixmatch', MT_FM)):
        for split in SPLITS:
            for d, (miou, mAP, mAP50) in enumerate(table[split]):
                run = dict(arm=arm, data_seed=d, split=split, seed=0,
                           task='multitask', mIoU=miou, bbox_mAP_50=mAP50)
                if mAP is not None:
                    run['bbox_mAP'] = mAP
                runs.append(run)
    return runs


def _write(tmp_path, runs, name='results.json'):
    path = tmp_path / name
    path.write_text(json.dumps(dict(
        settings=dict(iters=100, crop=[64, 64]),
        regime={'cityscapes/1-8': dict(labeled=372, unlabeled=2603),
                'cityscapes/1-4': dict(labeled=744, unlabeled=2231)},
        runs=runs)))
    return str(path)


def test_load_runs_and_missing_key(br, tmp_path):
    runs = _runs()
    assert br.load_runs(_write(tmp_path, runs)) == runs
    bad = _runs()
    del bad[4]['arm']
    with pytest.raises(ValueError, match=r"run #4 .*data_seed=1.*'arm'"):
        br.load_runs(_write(tmp_path, bad, 'bad.json'))
    bad = _runs()
    del bad[7]['split']
    with pytest.raises(ValueError,
                       match=r"run #7 \(arm='dense_fixmatch'.*'split'"):
        br.load_runs(_write(tmp_path, bad, 'bad2.json'))


def test_summarize(br):
    runs = _runs()
    s = br.summarize(runs, ['baseline', 'dense_fixmatch', 'nobody'], 'mIoU')
    assert list(s['dense_fixmatch']) == ['1-8', '1-4']  # fewest labels 1st
    for arm, table in (('baseline', BASE), ('dense_fixmatch', DFM)):
        for split in SPLITS:
            st = s[arm][split]
            assert st['n'] == 3
            assert st['mean'] == pytest.approx(statistics.mean(table[split]))
            assert st['std'] == pytest.approx(statistics.stdev(table[split]))
    assert s['dense_fixmatch']['1-8']['mean'] == pytest.approx(55.0)
    assert s['dense_fixmatch']['1-8']['std'] == pytest.approx(1.0)
    # the run without mIoU is skipped and counted
    assert s['dense_fixmatch']['1-8']['missing'] == 1
    assert s['dense_fixmatch']['1-4']['missing'] == 0
    assert s['nobody'] == {}
    # bbox_mAP missing on one multitask run: n 1, std None
    m = br.summarize(runs, ['mt_fixmatch'], 'bbox_mAP')['mt_fixmatch']
    assert m['1-4'] == dict(mean=24.0, std=None, n=1, missing=1,
                            values=[24.0])


def test_seeds_averaged_per_dataset(br):
    runs = [dict(arm='a', data_seed=d, split='1-8', seed=s, task='seg',
                 mIoU=v) for d, s, v in ((0, 0, 50.0), (0, 1, 54.0),
                                         (1, 0, 56.0))]
    st = br.summarize(runs, ['a'], 'mIoU')['a']['1-8']
    assert st['values'] == [52.0, 56.0]
    assert st['std'] == pytest.approx(statistics.stdev([52.0, 56.0]))


def test_paired_changes_and_wins(br):
    ch = br.paired_changes(_runs(), 'dense_fixmatch', 'baseline', 'mIoU')
    expect = {(d, s): DFM[s][d] - BASE[s][d] for s in SPLITS for d in SEEDS}
    assert ch['pairs'] == pytest.approx(expect)
    assert ch['per_split']['1-8']['wins'] == 3  # +4 +3 +2
    assert ch['per_split']['1-4']['wins'] == 2  # -1 +1 +2
    assert ch['per_split']['1-4']['mean'] == pytest.approx(2 / 3)
    assert (ch['wins'], ch['n']) == (5, 6)
    assert ch['mean'] == pytest.approx(statistics.mean(expect.values()))
    # bbox_mAP: the pair missing in mt_fixmatch is left out
    mt = br.paired_changes(_runs(), 'mt_fixmatch', 'mt_baseline', 'bbox_mAP')
    assert mt['n'] == 3 and mt['wins'] == 2
    assert mt['mean'] == pytest.approx((1 + 1 - 1) / 3)


def test_class_changes(br):
    cc = br.class_changes(_runs(), 'dense_fixmatch', 'baseline')
    assert cc['n_pairs'] == 6
    assert cc['mean']['sidewalk'] == pytest.approx(statistics.mean(SIDEWALK))
    assert cc['mean']['car'] == pytest.approx(statistics.mean(CAR))
    assert cc['mean']['road'] == pytest.approx(1.0)
    assert [c for c, _ in cc['losers']] == ['sidewalk']  # -7 yes, -3 no
    assert cc['per_pair'][(0, '1-8')] == [('sidewalk', -9.0), ('car', -6.0)]
    assert cc['per_pair'][(1, '1-8')] == []  # -5 is not a loss > 5
    assert cc['per_pair'][(1, '1-4')] == [('sidewalk', -8.0)]
    # worst first when several classes lose on average
    cc = br.class_changes(_runs(), 'dense_fixmatch', 'baseline', 2.5)
    assert [c for c, _ in cc['losers']] == ['sidewalk', 'car']
    assert br.class_changes(_runs(), 'all_labels', 'baseline')['n_pairs'] \
        == 0


def test_markdown_tables(br):
    runs = _runs()
    md = br.markdown_table(
        runs, ['baseline', 'dense_fixmatch', 'all_labels'],
        labels={'dense_fixmatch': 'Dense FixMatch'},
        reference={'seg': 'baseline'}, extra=('all_labels',))
    lines = md.splitlines()
    assert lines[0] == '| Arm | 1-8 | 1-4 | vs ref (wins) |'
    row = next(x for x in lines if x.startswith('| Dense FixMatch |'))
    assert row == ('| Dense FixMatch | 55.00 ± 1.00 | 61.67 ± 2.52 | '
                   '+1.83 (5/6) |')
    assert '| baseline (ref) | 52.00 ± 2.00 | 61.00 ± 1.00 | ref |' in lines
    assert '| all_labels | 70.00 ± 0.00 | 71.00 ± 0.00 | – |' in lines
    loss = next(x for x in lines if x.startswith('Classes losing > 5'))
    assert 'Dense FixMatch vs baseline: sidewalk (-7.00)' in loss
    assert 'car' not in loss
    assert 'Runs without mIoU (skipped): Dense FixMatch: 1.' in md

    mt = br.markdown_table(runs, ['mt_baseline', 'mt_fixmatch'],
                           metrics=('mIoU', 'bbox_mAP', 'bbox_mAP_50'),
                           reference={'multitask': 'mt_baseline'})
    head = mt.splitlines()[0]
    assert '1-8 mAP' in head and '1-4 mAP50' in head
    assert 'vs ref mAP (wins)' in head
    row = next(x for x in mt.splitlines() if x.startswith('| mt_fixmatch'))
    cells = [c.strip() for c in row.strip('|').split('|')]
    # 1-8: mIoU, mAP, mAP50 | 1-4: mIoU, mAP, mAP50 | vs ref x 3
    assert cells[1:4] == ['41.00 ± 0.00', '22.00 ± 1.41', '43.50 ± 0.71']
    assert cells[5] == '24.00 (n=1)'
    assert cells[7:] == ['+0.75 (3/4)', '+0.33 (2/3)', '+1.75 (4/4)']
    assert mt.splitlines()[-1].endswith(
        'mt_fixmatch vs mt_baseline: no per-class results.')


def test_plot_bars_atomic(br, tmp_path):
    from PIL import Image
    runs = _runs()
    s = br.summarize(runs, ['baseline', 'dense_fixmatch', 'all_labels'],
                     'mIoU')
    out = tmp_path / 'plots' / 'seg.png'
    assert br.plot_bars(s, str(out), 'mIoU', 'mIoU', references=['baseline'])
    assert out.stat().st_size > 0
    with Image.open(out) as im:
        assert im.format == 'PNG' and im.size[0] > 0 and im.size[1] > 0
    assert os.listdir(out.parent) == ['seg.png']


def test_write_report_and_cli(br, tmp_path):
    from PIL import Image
    path = _write(tmp_path, _runs())
    out = tmp_path / 'out'
    res = br.write_report(path, str(out / 'report.md'), str(out / 'bench'),
                          arms={'baseline': 'Baseline',
                                'dense_fixmatch': 'Dense FixMatch',
                                'all_labels': 'All labels',
                                'mt_baseline': 'MT baseline',
                                'mt_fixmatch': 'MT FixMatch'})
    names = sorted(os.listdir(out))
    assert names == ['bench_multitask_bbox_mAP.png',
                     'bench_multitask_bbox_mAP_50.png',
                     'bench_multitask_mIoU.png', 'bench_seg_mIoU.png',
                     'report.md']  # no temp files left
    for png in res['png']:
        with Image.open(png) as im:
            assert im.format == 'PNG'
    md = (out / 'report.md').read_text()
    assert '| Dense FixMatch | 55.00 ± 1.00 |' in md
    assert '| All labels | 70.00 ± 0.00 | 71.00 ± 0.00 | – |' in md
    assert '(reference: MT baseline)' in md
    assert '![bench_seg_mIoU.png](bench_seg_mIoU.png)' in md
    assert '| cityscapes/1-8 | 372 | 2603 |' in md

    # the CLI, defaults and an explicit arm list
    md2 = tmp_path / 'cli.md'
    proc = subprocess.run(
        [sys.executable, TOOL, path, '--md', str(md2), '--arms',
         'dense_fixmatch=Dense FixMatch', 'baseline', '--reference',
         'seg=baseline'], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    text = md2.read_text()
    assert '| Dense FixMatch | 55.00 ± 1.00 | 61.67 ± 2.52 | +1.83 (5/6) |' \
        in text
    assert 'Arms in the results not shown: all_labels, mt_baseline, ' \
        'mt_fixmatch.' in text
    assert sorted(os.listdir(tmp_path)) == ['cli.md', 'out', 'results.json']

    # a run without 'arm': a clear error, no report
    bad = _runs()
    del bad[0]['arm']
    bad_path = _write(tmp_path, bad, 'bad.json')
    assert br.main([bad_path, '--md', str(tmp_path / 'bad.md')]) == 1
    assert not (tmp_path / 'bad.md').exists()


def test_several_results_files_merge(br, tmp_path):
    """Two invocations' files make one report: a reused run counted once, a
    missing regime value filled from the other file, two different runs
    under one key an error naming both files."""
    runs = _runs()
    seg = [r for r in runs if r['task'] == 'seg']
    first = seg[:10]            # baseline of both splits + 4 Dense FixMatch
    second = seg[6:]            # overlaps first in 4 runs (reused)
    p1 = _write(tmp_path, first, 'a.json')
    p2 = _write(tmp_path, second, 'b.json')
    d1 = json.loads(open(p1).read())
    d1['regime']['cityscapes/1-8']['all_labels_mIoU'] = None
    d1['settings']['arms'] = ['baseline']
    open(p1, 'w').write(json.dumps(d1))
    d2 = json.loads(open(p2).read())
    d2['regime']['cityscapes/1-8']['all_labels_mIoU'] = 70.0
    d2['settings']['arms'] = ['dense_fixmatch']
    open(p2, 'w').write(json.dumps(d2))
    merged = br.merge_results([p1, p2])
    assert merged['runs'] == seg
    assert merged['regime']['cityscapes/1-8'] == dict(
        labeled=372, unlabeled=2603, all_labels_mIoU=70.0)
    assert merged['settings'] == dict(iters=100, crop=[64, 64],
                                      arms=[['baseline'], ['dense_fixmatch']])
    # the report of both files equals the report of one file with all runs
    one = _write(tmp_path, seg, 'one.json')
    br.write_report(one, str(tmp_path / 'one.md'))
    assert br.main([p1, p2, '--md', str(tmp_path / 'two.md')]) == 0
    table = [ln for ln in (tmp_path / 'one.md').read_text().splitlines()
             if ln.startswith('| Dense FixMatch') or ln.startswith('| dense')]
    assert table and all(ln in (tmp_path / 'two.md').read_text()
                         for ln in table)
    # the same key with another value: an error naming both files
    changed = [dict(r) for r in second]
    changed[0]['mIoU'] += 1.0
    p3 = _write(tmp_path, changed, 'c.json')
    with pytest.raises(ValueError, match=r'c\.json and .*a\.json both have '
                       r"the run .*'arm': 'dense_fixmatch'.* different mIoU"):
        br.merge_results([p1, p3])
    assert br.main([p1, p3, '--md', str(tmp_path / 'bad.md')]) == 1
    assert not (tmp_path / 'bad.md').exists()


def test_regime_values_not_measured_read_as_missing(br):
    """A regime value that was not measured (None, e.g. from a file of an
    invocation without that run) shows as a dash, as an absent one does,
    not as 'null'."""
    table = br._regime_table({'a/1-8': dict(x=None, y=1.5),
                              'b/1-8': dict(y=2)}).splitlines()
    assert table[2:] == [f'| a/1-8 | {br.DASH} | 1.5 |',
                         f'| b/1-8 | {br.DASH} | 2 |']

"""tools/benchmark_regime.py: the run plan (every arm from its (dataset,
split)'s stage-1 checkpoint, the same budget), the regime summary and the
overall ETA, without training."""
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
                          '--work-dir', 'wd'])
    return args, br.plan(args)


def opt(job, key):
    found = [o.split('=', 1)[1] for o in job.opts if o.startswith(key + '=')]
    assert len(found) == 1, (job.key, key, found)
    return found[0]


def test_plan_order_and_budget(jobs):
    args, jobs = jobs
    arms = list(br.ARMS)
    expected = []
    for d in (0, 3):
        expected.append(f'data{d} all all_labels')
        for split in ('1-8', '1-4'):
            expected += [f'data{d} {split} stage1'] + [
                f'data{d} {split} {a}' for a in arms]
    assert [j.key for j in jobs] == expected
    for j in jobs:
        want = dict(stage1=60, all_labels=75).get(j.arm, 15)
        assert j.iters == want == int(opt(j, 'train_cfg.max_iters'))
        assert opt(j, 'param_scheduler.0.end') == str(want)


def test_every_arm_starts_from_its_own_stage1(jobs):
    _, jobs = jobs
    for j in jobs:
        if j.arm in ('stage1', 'all_labels'):
            assert j.needs is None
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
    semi = {j.arm for j in jobs if j.semi}
    assert semi == set(br.ARMS) - {'baseline'}
    dars = [j for j in jobs if j.arm == 'dense_fixmatch_dars'][0]
    target = 'model.semi_train_cfg.pseudo_label_filter.target'
    assert opt(dars, target + '.ann_file') == 'splits/1-8/split0/labeled.txt'
    full = jobs[0]
    assert opt(full, 'train_dataloader.dataset.ann_file') == ''


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


def test_overall_eta_from_measured_steps(jobs):
    _, jobs = jobs
    eta = br.Eta(jobs[:3])  # all labels (75), stage 1 (60), baseline (15)
    assert eta.remaining() is None
    eta.done(jobs[0], dict(train_secs=70.0, test_secs=5.0, reused=False))
    assert eta.remaining() == pytest.approx((60 + 15) * 1.0)

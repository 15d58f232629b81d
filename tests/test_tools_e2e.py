"""End to end through the stock tools: train, test, resume, export, dist."""
import glob
import math
import os.path as osp
import re
import subprocess
import sys

import numpy as np
import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TESTS = osp.join(ROOT, 'tests')
TINY_BASELINE = osp.join(TESTS, 'configs', 'tiny_baseline.py')
TINY_FM = osp.join(TESTS, 'configs', 'tiny_dense_fixmatch.py')
TINY_FM_PROBE = osp.join(TESTS, 'configs', 'tiny_dense_fixmatch_probe.py')
TINY_FM_IMPLICIT = osp.join(TESTS, 'configs',
                            'tiny_dense_fixmatch_implicit_probe.py')
TINY_MIX_IMPLICIT = osp.join(TESTS, 'configs',
                             'tiny_classmix_implicit_probe.py')


def _run(args, env, timeout=600):
    proc = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def _miou(output):
    found = re.findall(r'Iter\(test\).*?\bmIoU: ([0-9.]+)', output)
    assert found, output[-2000:]
    return float(found[-1])


def _train(config, work_dir, env, *extra):
    return _run([sys.executable, 'tools/train.py', config, '--work-dir',
                 str(work_dir), *extra], env)


def independent_miou(config, ckpt, env, monkeypatch):
    """mIoU of a checkpoint on its config's test set, computed here from
    the model's per-image predictions with a numpy confusion matrix (not
    mmseg's IoUMetric): classes absent from both prediction and ground
    truth are left out, as mmseg does."""
    from mmengine.config import Config
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import init_default_scope
    from mmseg.apis import init_model
    from mmseg.registry import DATASETS
    for key in ('MMSSL_TEST_DATA_ROOT', 'MMSSL_TEST_LABELED',
                'MMSSL_TEST_UNLABELED'):
        monkeypatch.setenv(key, env[key])
    cfg = Config.fromfile(config)
    init_default_scope('mmseg')
    model = init_model(cfg, str(ckpt), device='cpu')
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    n = len(dataset.metainfo['classes'])
    conf = np.zeros((n, n), np.int64)
    for i in range(len(dataset)):
        with torch.no_grad():
            out = model.test_step(pseudo_collate([dataset[i]]))[0]
        pred = out.pred_sem_seg.data[0].numpy().ravel()
        gt = out.gt_sem_seg.data[0].numpy().ravel()
        keep = gt != 255
        conf += np.bincount(n * gt[keep] + pred[keep],
                            minlength=n * n).reshape(n, n)
    tp = np.diag(conf)
    union = conf.sum(0) + conf.sum(1) - tp
    return 100 * np.mean(tp[union > 0] / union[union > 0])


def test_train_and_test_baseline(tiny_env, tmp_path, monkeypatch):
    """tools/test.py's mIoU is the checkpoint's real mIoU."""
    _train(TINY_BASELINE, tmp_path, tiny_env)
    ckpt = tmp_path / 'iter_2.pth'
    assert ckpt.exists()
    out = _run([sys.executable, 'tools/test.py', TINY_BASELINE, str(ckpt),
                '--work-dir', str(tmp_path / 'test')], tiny_env)
    expected = independent_miou(TINY_BASELINE, ckpt, tiny_env, monkeypatch)
    assert _miou(out) == pytest.approx(expected, abs=0.006)


def test_dense_fixmatch_train_test_export(tiny_env, tmp_path):
    log = _train(TINY_FM, tmp_path, tiny_env)
    # the semi-supervised quantities are logged
    for key in ('sup.decode.loss_ce', 'sup.aux.loss_ce',
                'unsup.decode.loss_ce', 'unsup.aux.loss_ce', 'unsup_weight',
                'pseudo_valid_frac'):
        assert key in log, key
    # the class histogram goes to the visualizer, not the console log
    assert 'pl_hist' not in log and 'pseudo_label_class' not in log
    # teacher and student are both evaluated during training
    assert 'teacher/mIoU' in log and 'student/mIoU' in log
    # pseudo-label panels and class bars were written through the visualizer
    vis = glob.glob(str(tmp_path / '*' / 'vis_data'))
    assert len(vis) == 1
    panels = glob.glob(osp.join(vis[0], 'vis_image', 'pseudo_labels_0_*.png'))
    bars = glob.glob(osp.join(vis[0], 'vis_image',
                              'pseudo_label_classes_*.png'))
    assert len(panels) == 3 and len(bars) == 3
    import json
    scalars = [json.loads(line)
               for line in open(osp.join(vis[0], 'scalars.json'))]
    fractions = [r for r in scalars if 'pseudo_label_class/road' in r]
    assert len(fractions) == 3
    for record in fractions:
        total = sum(v for k, v in record.items()
                    if k.startswith('pseudo_label_class/'))
        assert total == pytest.approx(1.0, abs=1e-6)

    ckpt = str(tmp_path / 'iter_3.pth')
    semi_miou = _miou(_run([sys.executable, 'tools/test.py', TINY_FM, ckpt,
                            '--work-dir', str(tmp_path / 't1')], tiny_env))
    exported = str(tmp_path / 'teacher.pth')
    _run([sys.executable, 'tools/export_segmentor.py', TINY_FM, ckpt,
          exported], tiny_env)
    plain = torch.load(exported, map_location='cpu')  # weights_only load
    assert set(plain) == {'meta', 'state_dict'}
    assert not any(k.startswith(('teacher.', 'student.'))
                   for k in plain['state_dict'])
    full = torch.load(ckpt, map_location='cpu')
    for k, v in plain['state_dict'].items():
        torch.testing.assert_close(v, full['state_dict']['teacher.' + k])
    plain_cfg = exported[:-4] + '.py'
    text = open(plain_cfg).read()
    assert "type='EncoderDecoder'" in text and 'SemiSegmentor' not in text
    plain_miou = _miou(_run([sys.executable, 'tools/test.py', plain_cfg,
                             exported, '--work-dir', str(tmp_path / 't2')],
                            tiny_env))
    assert plain_miou == pytest.approx(semi_miou)


def test_resume_continues_teacher_optimizer_iter_and_lambda(
        tiny_env, tmp_path):
    _train(TINY_FM_PROBE, tmp_path, tiny_env,
           '--cfg-options', 'train_cfg.max_iters=2')
    ckpt = torch.load(str(tmp_path / 'iter_2.pth'), map_location='cpu')
    _train(TINY_FM_PROBE, tmp_path, tiny_env, '--resume')
    start = torch.load(str(tmp_path / 'rank0_start.pth'), map_location='cpu')
    assert start['iter'] == 2 and start['first_iter'] == 2
    teacher_ckpt = {k[len('teacher.'):]: v
                    for k, v in ckpt['state_dict'].items()
                    if k.startswith('teacher.')}
    student_ckpt = {k[len('student.'):]: v
                    for k, v in ckpt['state_dict'].items()
                    if k.startswith('student.')}
    # the teacher came back from the checkpoint, not re-copied from the
    # student (they differ after two EMA steps with decay 0.9)
    differs = False
    for k, v in start['teacher'].items():
        torch.testing.assert_close(v, teacher_ckpt[k])
        differs |= not torch.equal(v, student_ckpt[k])
    assert differs
    # optimizer state (AdamW moments, step) continued
    opt_now = start['optimizer']['state']
    opt_ckpt = ckpt['optimizer']['state']
    assert opt_now.keys() == opt_ckpt.keys() and len(opt_now) > 0
    for k in opt_now:
        for name, value in opt_now[k].items():
            torch.testing.assert_close(value, opt_ckpt[k][name])
    # lambda follows the iteration: sigmoid ramp at t = 2 / 4
    assert start['unsup_weight'] == pytest.approx(math.exp(-5 * 0.5**2))
    assert (tmp_path / 'iter_3.pth').exists()


def test_dist_train_two_cpu_processes_keep_teachers_identical(
        tiny_env, tmp_path):
    env = dict(tiny_env, PORT='29517')
    log = _run(['bash', 'tools/dist_train.sh', TINY_FM_PROBE, '2',
                '--work-dir', str(tmp_path)], env)
    assert 'Distributed training: True' in log
    states = [torch.load(str(tmp_path / f'rank{r}_state.pth'))
              for r in (0, 1)]
    assert states[0]['iter'] == states[1]['iter'] == 3
    for part in ('teacher', 'student'):
        a, b = states[0][part], states[1][part]
        assert a.keys() == b.keys()
        for k in a:
            if a[k].dtype.is_floating_point:
                assert torch.equal(a[k], b[k]), (part, k)
    # BN statistics were actually averaged, not left per-rank
    bn = [k for k in states[0]['teacher'] if k.endswith('running_mean')]
    assert bn


@pytest.mark.parametrize('aux', [True, False], ids=['aux-head', 'no-aux'])
def test_dist_train_implicit_sampling_rank_without_labels(
        tiny_env, tmp_path, aux):
    """Implicit sampling under DDP (find_unused_parameters=False): steps in
    which one rank draws no labeled sample train on, with and without an
    auxiliary head, and the teachers stay identical across ranks."""
    env = dict(tiny_env, PORT='29518' if aux else '29519')
    extra = [] if aux else ['--cfg-options', 'model.segmentor.auxiliary_head=None']
    log = _run(['bash', 'tools/dist_train.sh', TINY_FM_IMPLICIT, '2',
                '--work-dir', str(tmp_path), *extra], env)
    assert 'Distributed training: True' in log
    assert 'find_unused_parameters=False' in log
    counts = [torch.load(str(tmp_path / f'rank{r}_labeled.pth'))
              for r in (0, 1)]
    assert len(counts[0]) == len(counts[1]) == 4
    # the case that crashed: a step where one rank has no labeled sample
    # and the other has some
    assert any((a == 0) != (b == 0) for a, b in zip(*counts)), counts
    states = [torch.load(str(tmp_path / f'rank{r}_state.pth'))
              for r in (0, 1)]
    assert states[0]['iter'] == states[1]['iter'] == 4
    has_aux = any(k.startswith('auxiliary_head.') for k in states[0]['teacher'])
    assert has_aux == aux
    for part in ('teacher', 'student'):
        a, b = states[0][part], states[1][part]
        for k in a:
            if a[k].dtype.is_floating_point:
                assert torch.equal(a[k], b[k]), (part, k)


def test_dist_train_mixing_implicit_sampling(tiny_env, tmp_path):
    """A mixing config (ClassMix) under DDP with implicit sampling and
    find_unused_parameters=False: trains, mixes within each rank's batch,
    and the teachers stay identical across ranks."""
    env = dict(tiny_env, PORT='29521')
    log = _run(['bash', 'tools/dist_train.sh', TINY_MIX_IMPLICIT, '2',
                '--work-dir', str(tmp_path)], env)
    assert 'Distributed training: True' in log
    assert 'find_unused_parameters=False' in log
    paired = [float(v) for v in re.findall(r'mix_paired_frac: ([0-9.]+)', log)]
    assert len(paired) >= 4 and max(paired) > 0, paired
    weights = [float(v) for v in re.findall(r'unsup_weight: ([0-9.]+)', log)]
    assert weights and all(0.0 <= w <= 1.0 for w in weights), weights
    counts = [torch.load(str(tmp_path / f'rank{r}_labeled.pth'))
              for r in (0, 1)]
    # a step where one rank had no labeled sample and the other had some
    assert any((a == 0) != (b == 0) for a, b in zip(*counts)), counts
    states = [torch.load(str(tmp_path / f'rank{r}_state.pth'))
              for r in (0, 1)]
    assert states[0]['iter'] == states[1]['iter'] == 4
    for part in ('teacher', 'student'):
        a, b = states[0][part], states[1][part]
        for k in a:
            if a[k].dtype.is_floating_point:
                assert torch.equal(a[k], b[k]), (part, k)

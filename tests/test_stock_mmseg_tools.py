"""mmseg's OWN tools (the copies the mmseg wheel ships under
``mmseg/.mim/tools``) run an mmssl config, as the README promises: the
config's ``custom_imports`` is all they get from mmssl.

* stock ``train.py`` trains the tiny Dense FixMatch config and ``--resume``
  continues it from iteration 3 with the checkpoint's teacher;
* stock ``test.py`` and mmssl's ``tools/test.py`` give the same metrics and
  the same per-pixel predictions on the semi checkpoint, and so does stock
  ``test.py`` on the plain segmentor ``tools/export_segmentor.py`` writes;
* those predictions are the teacher's (an in-process forward pass of the
  checkpoint's ``teacher.`` weights), and the logged mIoU / aAcc are what
  an independent numpy computation from the predictions and the label files
  gives.

About a minute on 2 CPU cores (six tool runs, each mostly import time).
"""
import glob
import os
import os.path as osp
import re
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TESTS = osp.join(ROOT, 'tests')
TINY_FM = osp.join(TESTS, 'configs', 'tiny_dense_fixmatch.py')
NUM_CLASSES = 19
EMA_DECAY = 0.9  # tiny_dense_fixmatch.py: EMATeacherHook(decay=0.9)


def _stock_tools():
    import mmseg
    tools = osp.join(osp.dirname(mmseg.__file__), '.mim', 'tools')
    if not osp.isfile(osp.join(tools, 'train.py')):
        pytest.skip(f'this mmseg install ships no tools ({tools})')
    return tools


def _run(args, env, timeout=600):
    proc = subprocess.run(
        [sys.executable, *map(str, args)], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=timeout)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-5000:]
    return out


def _test_metrics(output):
    """{'aAcc', 'mIoU', 'mAcc'} of the last ``Iter(test)`` line."""
    lines = re.findall(r'Iter\(test\).*', output)
    assert lines, output[-3000:]
    found = dict(re.findall(r'\b(aAcc|mIoU|mAcc): ([0-9.]+)', lines[-1]))
    assert set(found) == {'aAcc', 'mIoU', 'mAcc'}, lines[-1]
    return {k: float(v) for k, v in found.items()}


def _train_iters(output, total):
    """Iterations logged as ``Iter(train) [k/total]`` (logger interval 1)."""
    return [
        int(k) for k in re.findall(
            r'Iter\(train\) \[\s*(\d+)/' + str(total) + r'\]', output)
    ]


def _load(path):
    return torch.load(str(path), map_location='cpu')  # weights_only


def _prefixed(state_dict, prefix):
    return {
        k[len(prefix):]: v
        for k, v in state_dict.items() if k.startswith(prefix)
    }


@pytest.fixture(scope='module')
def stock_run(tiny_env, tmp_path_factory):
    """Three iterations of the tiny Dense FixMatch config through mmseg's
    stock train.py; returns (work_dir, log)."""
    work_dir = tmp_path_factory.mktemp('stock_train')
    log = _run([
        osp.join(_stock_tools(), 'train.py'), TINY_FM, '--work-dir',
        work_dir
    ], tiny_env)
    return work_dir, log


@pytest.fixture(scope='module')
def val_labels(synthetic_cityscapes_root):
    """{image stem: labelTrainIds} of the val split, read with cv2."""
    out = {}
    for p in glob.glob(osp.join(synthetic_cityscapes_root, 'gtFine', 'val',
                                '*', '*_gtFine_labelTrainIds.png')):
        stem = osp.basename(p)[:-len('_gtFine_labelTrainIds.png')]
        out[stem] = cv2.imread(p, cv2.IMREAD_UNCHANGED)
    assert len(out) == 3
    return out


def test_stock_train_runs_the_semi_config(stock_run):
    work_dir, log = stock_run
    assert _train_iters(log, 3) == [1, 2, 3]
    # the semi-supervised step ran (not a supervised fallback)
    for key in ('sup.decode.loss_ce', 'unsup_weight', 'pseudo_valid_frac'):
        assert key in log, key
    assert re.search(r'\bunsup\.[\w.]*loss\w*: [0-9.]+', log), log[-3000:]
    ckpt = _load(work_dir / 'iter_3.pth')
    assert ckpt['meta']['iter'] == 3
    teacher = _prefixed(ckpt['state_dict'], 'teacher.')
    student = _prefixed(ckpt['state_dict'], 'student.')
    assert teacher and teacher.keys() == student.keys()
    assert set(ckpt['state_dict']) == (
        {'teacher.' + k for k in teacher} | {'student.' + k for k in student})
    # after three EMA steps the teacher is no longer a copy of the student
    assert any(not torch.equal(v, student[k]) for k, v in teacher.items()
               if v.is_floating_point())


def test_stock_resume_continues_from_iter_3(stock_run, tiny_env):
    work_dir, _ = stock_run
    before = _load(work_dir / 'iter_3.pth')
    log = _run([
        osp.join(_stock_tools(), 'train.py'), TINY_FM, '--work-dir',
        work_dir, '--resume', '--cfg-options', 'train_cfg.max_iters=4'
    ], tiny_env)
    assert re.search(r'resumed epoch: 0, iter: 3\b', log), log[-3000:]
    assert _train_iters(log, 4) == [4]  # only the one new iteration ran
    after = _load(work_dir / 'iter_4.pth')
    assert after['meta']['iter'] == 4
    # the teacher came back from iter_3.pth and took one EMA step towards
    # the new student: t4 = d * t3 + (1 - d) * s4 (a teacher re-copied from
    # the student at the start would give d * s3 + (1 - d) * s4)
    t3 = _prefixed(before['state_dict'], 'teacher.')
    s3 = _prefixed(before['state_dict'], 'student.')
    t4 = _prefixed(after['state_dict'], 'teacher.')
    s4 = _prefixed(after['state_dict'], 'student.')
    assert t4.keys() == t3.keys()
    checked = 0
    for k, v in t4.items():
        if not v.is_floating_point():
            continue
        expected = (EMA_DECAY * t3[k].double() +
                    (1 - EMA_DECAY) * s4[k].double())
        torch.testing.assert_close(
            v.double(), expected, rtol=1e-5, atol=1e-6, msg=k)
        checked += not torch.equal(t3[k], s3[k])
    assert checked > 0
    # the optimizer state was restored too: AdamW took its 4th step
    steps = {
        float(s['step'])
        for s in after['optimizer']['state'].values() if 'step' in s
    }
    assert steps == {4.0}, steps


def _pred_pngs(out_dir):
    """{image stem: predicted train ids} written by IoUMetric(output_dir)."""
    preds = {}
    for p in glob.glob(osp.join(str(out_dir), '*.png')):
        stem = osp.basename(p)[:-len('.png')]
        stem = stem[:-len('_leftImg8bit')] if stem.endswith(
            '_leftImg8bit') else stem
        preds[stem] = cv2.imread(p, cv2.IMREAD_UNCHANGED)
    return preds


def _numpy_metrics(preds, labels):
    """mmseg IoUMetric's aAcc / mIoU, recomputed with numpy."""
    inter = np.zeros(NUM_CLASSES)
    union = np.zeros(NUM_CLASSES)
    correct = total = 0
    for stem, gt in labels.items():
        pred = preds[stem].astype(np.int64)
        valid = gt != 255
        g, p = gt[valid].astype(np.int64), pred[valid]
        hit = g[g == p]
        inter += np.bincount(hit, minlength=NUM_CLASSES)[:NUM_CLASSES]
        union += (np.bincount(g, minlength=NUM_CLASSES)[:NUM_CLASSES] +
                  np.bincount(p, minlength=NUM_CLASSES)[:NUM_CLASSES] -
                  np.bincount(hit, minlength=NUM_CLASSES)[:NUM_CLASSES])
        correct += hit.size
        total += g.size
    with np.errstate(invalid='ignore'):
        iou = inter / union
    return dict(
        aAcc=100 * correct / total, mIoU=float(100 * np.nanmean(iou)))


def _forward(ckpt_path, prefixes, synthetic_cityscapes_root):
    """In-process predictions, {prefix: {image stem: train ids}}, of the
    checkpoint's ``prefix`` weights loaded into the tiny config's segmentor,
    on the val images through the config's test pipeline."""
    from mmengine.config import Config
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import init_default_scope

    import mmssl  # noqa: F401
    from mmseg.registry import DATASETS, MODELS
    from mmssl.utils import replace_sync_bn
    os.environ['MMSSL_TEST_DATA_ROOT'] = synthetic_cityscapes_root + '/'
    try:
        cfg = Config.fromfile(TINY_FM)
    finally:
        del os.environ['MMSSL_TEST_DATA_ROOT']
    init_default_scope('mmseg')
    seg = cfg.model.segmentor.copy()
    seg['pretrained'] = None
    seg['data_preprocessor'] = cfg.model.data_preprocessor.data_preprocessor
    replace_sync_bn(seg)
    model = MODELS.build(seg).eval()
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    state_dict = _load(ckpt_path)['state_dict']
    preds = {}
    for prefix in prefixes:
        model.load_state_dict(_prefixed(state_dict, prefix), strict=True)
        preds[prefix] = {}
        with torch.no_grad():
            for i in range(len(dataset)):
                (out, ) = model.test_step(pseudo_collate([dataset[i]]))
                stem = osp.basename(out.img_path)[:-len('_leftImg8bit.png')]
                preds[prefix][stem] = out.pred_sem_seg.data[0].numpy().astype(
                    np.uint8)
    return preds


def test_stock_and_mmssl_test_and_exported_model_agree(
        stock_run, tiny_env, tmp_path, val_labels,
        synthetic_cityscapes_root):
    work_dir, _ = stock_run
    ckpt = work_dir / 'iter_3.pth'
    stock_test = osp.join(_stock_tools(), 'test.py')
    runs = {}
    # the semi checkpoint through mmseg's test.py and through mmssl's
    for name, tool in (('stock', stock_test), ('mmssl', 'tools/test.py')):
        out = _run([
            tool, TINY_FM, ckpt, '--work-dir', tmp_path / f'{name}_wd',
            '--out', tmp_path / f'{name}_pred'
        ], tiny_env)
        runs[name] = (_test_metrics(out), _pred_pngs(tmp_path /
                                                     f'{name}_pred'))
    # the exported teacher, a plain EncoderDecoder, through mmseg's test.py
    exported = tmp_path / 'teacher.pth'
    _run(['tools/export_segmentor.py', TINY_FM, ckpt, exported], tiny_env)
    plain_cfg = tmp_path / 'teacher.py'
    text = plain_cfg.read_text()
    assert "type='EncoderDecoder'" in text and 'SemiSegmentor' not in text
    out = _run([
        stock_test, plain_cfg, exported, '--work-dir', tmp_path / 'plain_wd',
        '--out', tmp_path / 'plain_pred'
    ], tiny_env)
    runs['plain'] = (_test_metrics(out), _pred_pngs(tmp_path / 'plain_pred'))

    both = _forward(ckpt, ('teacher.', 'student.'),
                    synthetic_cityscapes_root)
    teacher, student = both['teacher.'], both['student.']
    assert teacher.keys() == val_labels.keys()
    for name, (metrics, preds) in runs.items():
        print(f'{name}: {metrics}')
        # the same metrics as the stock tool on the semi checkpoint
        assert metrics == runs['stock'][0], (name, metrics)
        # per pixel: the teacher's predictions, at the labels' resolution
        assert preds.keys() == val_labels.keys(), (name, sorted(preds))
        for stem, pred in preds.items():
            assert pred.shape == val_labels[stem].shape
            np.testing.assert_array_equal(pred, teacher[stem],
                                          err_msg=f'{name} {stem}')
    # the logged metrics are what the predictions and label files give
    metrics = runs['stock'][0]
    oracle = _numpy_metrics(teacher, val_labels)
    assert metrics['mIoU'] == pytest.approx(oracle['mIoU'], abs=0.006)
    assert metrics['aAcc'] == pytest.approx(oracle['aAcc'], abs=0.006)
    # and the comparison tells teacher from student: the student's
    # predictions differ (deterministic tiny run; its weights differ from
    # the teacher's after three EMA steps, see the first test)
    differ = sum(int((teacher[s] != student[s]).sum()) for s in teacher)
    print(f'teacher vs student: {differ} of '
          f'{sum(v.size for v in teacher.values())} pixels differ; '
          f'student metrics {_numpy_metrics(student, val_labels)}')
    assert differ > 0, 'teacher and student predict alike: the per-pixel ' \
        'check above cannot tell which one the tools evaluated'

"""Two CPU processes (gloo, DDP without find_unused_parameters): rank 0's
batches have no detection label, rank 1's no segmentation label; training
runs its steps without hanging and the teachers (and students) stay
identical across ranks."""
import os
import os.path as osp
import subprocess
import sys

import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TESTS = osp.join(ROOT, 'tests')
CONFIG = osp.join(TESTS, 'configs', 'tiny_semi_multitask_probe.py')


def test_dist_train_ranks_missing_different_tasks(tmp_path):
    from mmssl.datasets.converters import convert_cityscapes_boxes
    from mmssl.datasets.multitask_splits import write_multitask_splits
    from mmssl.datasets.synthetic import generate_dataset
    root = generate_dataset(str(tmp_path / 'gen'), 'cityscapes', seed=2,
                            num_train=6, num_val=2, num_extra=0,
                            size=(128, 64), num_cities=1)['root']
    convert_cityscapes_boxes(root)
    write_multitask_splits(root, ['d-2-4'], num_splits=1,
                           out_dir=osp.join(root, 'splits', 'multitask'))
    env = dict(os.environ, MMSSL_TEST_MT_ROOT=root + '/', PORT='29527',
               PYTHON=sys.executable, OMP_NUM_THREADS='1',
               PYTHONPATH=os.pathsep.join(
                   [ROOT, TESTS, os.environ.get('PYTHONPATH', '')]))
    work = tmp_path / 'work'
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir',
         str(work)], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=300)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert 'find_unused_parameters=False' in log
    flags = [torch.load(str(work / f'rank{r}_flags.pth')) for r in (0, 1)]
    assert len(flags[0]) == len(flags[1]) == 4
    assert not any(det for step in flags[0] for _, det in step)
    assert not any(seg for step in flags[1] for seg, _ in step)
    assert any(seg for step in flags[0] for seg, _ in step)
    assert any(det for step in flags[1] for _, det in step)
    states = [torch.load(str(work / f'rank{r}_state.pth')) for r in (0, 1)]
    assert states[0]['iter'] == states[1]['iter'] == 4
    assert any(k.startswith('bbox_head.') for k in states[0]['teacher'])
    for part in ('teacher', 'student'):
        a, b = states[0][part], states[1][part]
        for k in a:
            if a[k].dtype.is_floating_point:
                assert torch.equal(a[k], b[k]), (part, k)

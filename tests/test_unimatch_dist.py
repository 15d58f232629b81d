"""UniMatch under two-process DDP (CPU, gloo) with implicit sampling and
find_unused_parameters=False: steps where one rank has no labeled sample
(or no unlabeled one) train on, and the students stay identical."""
import os.path as osp
import re
import subprocess
import sys

import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(ROOT, 'tests', 'configs', 'tiny_unimatch_implicit_probe.py')


def test_dist_train_unimatch_rank_without_labels(tiny_env, tmp_path):
    env = dict(tiny_env, PORT='29531')
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir',
         str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert 'Distributed training: True' in log
    assert 'find_unused_parameters=False' in log
    assert re.findall(r'unsup_fp\.decode\.loss_ce: [0-9.]+', log), log[-3000:]
    counts = [torch.load(str(tmp_path / f'rank{r}_labeled.pth'))
              for r in (0, 1)]
    assert len(counts[0]) == len(counts[1]) == 4
    # a step where one rank had no labeled sample and the other had some
    assert any((a == 0) != (b == 0) for a, b in zip(*counts)), counts
    states = [torch.load(str(tmp_path / f'rank{r}_state.pth'))
              for r in (0, 1)]
    assert states[0]['iter'] == states[1]['iter'] == 4
    # the teacher is the student: one set of weights, equal on both ranks
    assert states[0]['teacher'].keys() == states[0]['student'].keys()
    a, b = states[0]['student'], states[1]['student']
    for k in a:
        if a[k].dtype.is_floating_point and 'running_' not in k:
            assert torch.equal(a[k], b[k]), k

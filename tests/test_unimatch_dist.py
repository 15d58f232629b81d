"""UniMatch and UniMatch V2 under two-process DDP (CPU, gloo) with implicit
sampling and find_unused_parameters=False: steps where one rank has no
labeled sample (or no unlabeled one) train on, and the students (and V2's
EMA teachers) stay identical on both ranks."""
import os.path as osp
import re
import subprocess

import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = osp.join(ROOT, 'tests', 'configs')


@pytest.mark.parametrize('probe,port,stream', [
    ('tiny_unimatch_implicit_probe.py', '29531', 'unsup_fp'),
    ('tiny_unimatch_v2_implicit_probe.py', '29533', 'unsup_s1'),
])
def test_dist_train_rank_without_labels(tiny_env, tmp_path, probe, port,
                                        stream):
    env = dict(tiny_env, PORT=port)
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', osp.join(CONFIGS, probe), '2',
         '--work-dir', str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert 'Distributed training: True' in log
    assert 'find_unused_parameters=False' in log
    assert re.findall(rf'{stream}\.decode\.loss_ce: [0-9.]+', log), \
        log[-3000:]
    counts = [torch.load(str(tmp_path / f'rank{r}_labeled.pth'))
              for r in (0, 1)]
    assert len(counts[0]) == len(counts[1]) == 4
    # a step where one rank had no labeled sample and the other had some
    assert any((a == 0) != (b == 0) for a, b in zip(*counts)), counts
    states = [torch.load(str(tmp_path / f'rank{r}_state.pth'))
              for r in (0, 1)]
    assert states[0]['iter'] == states[1]['iter'] == 4
    for part in ('student', 'teacher'):
        a, b = states[0][part], states[1][part]
        for k in a:
            if a[k].dtype.is_floating_point and 'running_' not in k:
                assert torch.equal(a[k], b[k]), (part, k)
    if 'v2' in probe:  # an EMA teacher that moved away from the student
        s, t = states[0]['student'], states[0]['teacher']
        assert any(not torch.equal(s[k], t[k]) for k in s
                   if s[k].dtype.is_floating_point)

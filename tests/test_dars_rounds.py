"""tools/dars_rounds.py end to end on the tiny setting (2 iterations per
round): round 0 -> pseudo-label -> round 1 -> pseudo-label -> round 2, then
a rerun that skips every finished step. Each round resumes the previous
one's weights and optimizer state, on the continued poly schedule, with the
loss of eq. 2 (labeled and pseudo-labeled parts averaged apart)."""
import json
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TINY_ROUNDS = osp.join(ROOT, 'tests', 'configs', 'tiny_dars_rounds.py')


def test_rounds_end_to_end_and_skip(tiny_env, tmp_path):
    work = tmp_path / 'work'
    cmd = [sys.executable, 'tools/dars_rounds.py', TINY_ROUNDS,
           '--work-dir', str(work)]
    out = subprocess.run(cmd, cwd=ROOT, env=tiny_env, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert (work / 'round0' / 'iter_2.pth').is_file()
    for k, alpha, rng in ((1, 0.2, (0.5, 2.0)), (2, 0.5, (0.4, 3.0))):
        summary = json.loads(
            (work / f'round{k}' / 'pseudo_labels' / 'summary.json').read_text())
        assert summary['policy'] == dict(type='DARS', alpha=alpha,
                                         temperature=1.0)
        assert summary['images'] == 4
        assert (work / f'round{k}' / 'iter_2.pth').is_file()
        cfg = Config.fromfile(str(work / f'round{k}' / f'round{k}_config.py'))
        prev = str(work / f'round{k - 1}' / 'iter_2.pth')
        assert cfg.load_from == prev
        assert dict(type='LoadOptimizerStateHook',
                    checkpoint=prev) in cfg.custom_hooks
        # the demo's AdamW 1e-3 on the authors' continued poly schedule
        assert cfg.optim_wrapper.optimizer.lr == pytest.approx(
            1e-3 * (1 - k / (k + 1))**0.9)
        log = (work / f'round{k}' / 'train.log').read_text()
        assert f'optimizer state of {prev} loaded' in log
        assert 'pseudo.decode.loss_ce' in log and \
            'labeled.decode.loss_ce' in log
        part = cfg.train_dataloader.dataset.unlabeled
        assert part.data_prefix.seg_map_path == str(
            work / f'round{k}' / 'pseudo_labels' / 'gtFine' / 'train')
        ratio = [t['ratio_range'] for t in part.pipeline
                 if 'ratio_range' in t]
        assert len(ratio) == 1 and tuple(ratio[0]) == rng
    # round 1 trained on the pseudo-labels it loaded with the stock dataset
    log = (work / 'round1' / 'train.log').read_text()
    assert 'Iter(train) [2/2]' in log
    again = subprocess.run(cmd, cwd=ROOT, env=tiny_env, capture_output=True,
                           text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert again.stdout.count('[dars] reusing') == 5, again.stdout

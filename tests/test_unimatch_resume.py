"""Resume is exact for UniMatch and UniMatch V2: 4 straight training steps vs 2 steps +
resume + 2 steps of its CPU demo config (shrunk by tests/method_cfgs.py,
as tests/test_resume_exact.py does for the other methods) give
bit-identical weights, optimizer state, per-step losses and published
pseudo-labels (feature dropout, CutMix boxes and partners draw from the
torch RNG that RNGStateHook checkpoints; V2's EMA teacher and its
mean-start decay come back from the checkpoint and the iteration)."""
import pytest
from mmengine.config import Config

import method_cfgs
from method_cfgs import method_config, semi_data
from test_resume_exact import (RESUME_AT, STEPS, _checkpoint_diffs, _load,
                               _step_diffs, _summary, _train)

DEMOS = dict(
    UniMatch='configs/demo/unimatch_deeplabv3plus_r18-d8_1xb8-explicit-cpu-'
    'sup300i-100i_synthcityscapes-8.py',
    UniMatchV2='configs/demo/unimatch-v2_deeplabv3plus_r18-d8_1xb8-'
    'explicit-cpu-sup300i-100i_synthcityscapes-8.py')


@pytest.mark.parametrize('method', list(DEMOS))
def test_unimatch_resume_is_exact(tiny_env, tmp_path, monkeypatch, method):
    monkeypatch.setitem(method_cfgs.CONFIGS, 'unimatch', DEMOS[method])
    monkeypatch.setattr(Config, 'pretty_text',
                        property(lambda self: self.text))
    cfg = method_config('unimatch', semi_data(tiny_env), str(tmp_path),
                        max_iters=STEPS, checkpoint_interval=RESUME_AT)
    assert cfg.model['type'] == method
    if method == 'UniMatchV2':  # every unlabeled pixel trains the student
        cfg.model['semi_train_cfg']['pseudo_threshold'] = 0.0
    straight = _train(cfg, tmp_path / 'straight')
    ckpt = tmp_path / 'straight' / f'iter_{RESUME_AT}.pth'
    resumed = _train(cfg, tmp_path / 'resumed', resume_from=ckpt)
    a = _load(tmp_path / 'straight' / f'iter_{STEPS}.pth')
    b = _load(tmp_path / 'resumed' / f'iter_{STEPS}.pth')
    has_teacher = any(k.startswith('teacher.') for k in a['state_dict'])
    assert has_teacher == (method == 'UniMatchV2')
    diffs = _step_diffs(straight, resumed) + _checkpoint_diffs(a, b)
    assert not diffs, _summary(diffs)
    # the steps did mix and perturb (not a trivially equal run)
    stream = 'unsup_fp' if method == 'UniMatch' else 'unsup_s2'
    assert any(v > 0 for step in straight.values()
               for k, v in step['losses'].items() if stream in k)

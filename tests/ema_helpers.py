"""Shared by the EMA-evaluated baselines' tests of the CPU benchmark
(single-task and multi-task): a few in-process training steps whose
checkpoint must hold the average of the weights."""
import os.path as osp


def assert_checkpoint_is_the_ema(cfg, work_dir, steps=3):
    """Train ``cfg`` (an EMA-evaluated baseline, data already set) for
    ``steps`` steps in process and check that its checkpoint's state_dict,
    what tools/test.py evaluates, is the EMA of the student's weights and
    BN statistics after each step, computed here independently (BN's
    integer step counters, unused in evaluation, stay at the first step's,
    as mmengine's average keeps them), and not the last student."""
    import torch
    from mmengine.hooks import Hook
    from mmengine.runner import Runner
    import mmssl  # noqa: F401
    cfg.work_dir = str(work_dir)
    cfg.train_dataloader.update(num_workers=0, persistent_workers=False,
                                batch_size=2)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=steps,
                         val_interval=100)
    cfg.param_scheduler = []
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook',
                                        interval=steps, by_epoch=False)
    for k in ('val', 'test'):
        cfg[f'{k}_dataloader'] = cfg[f'{k}_cfg'] = None
        cfg[f'{k}_evaluator'] = None
    students = []

    class Record(Hook):
        def after_train_iter(self, runner, batch_idx, data_batch=None,
                             outputs=None):
            students.append({k: v.detach().clone() for k, v in
                             runner.model.state_dict().items()})

    runner = Runner.from_cfg(cfg)
    runner.register_hook(Record(), 'LOWEST')
    runner.train()
    assert len(students) == steps
    m = 1 - cfg.cpu_ema.decay
    expect = dict(students[0])
    for s in students[1:]:
        expect = {k: (1 - m) * v + m * s[k] if v.is_floating_point()
                  else v for k, v in expect.items()}
    saved = torch.load(osp.join(work_dir, f'iter_{steps}.pth'),
                       map_location='cpu')['state_dict']
    assert set(saved) == set(expect)
    for k, v in expect.items():
        torch.testing.assert_close(saved[k], v, rtol=1e-5, atol=1e-6)
    assert any(not torch.allclose(saved[k], students[-1][k])
               for k in saved if saved[k].is_floating_point())

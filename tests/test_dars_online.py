"""OnlineDistributionAlignment: unit behaviour and through the real
SemiSegmentor training step (published pseudo-labels honour the filter)."""
import os.path as osp

import pytest
import torch

import mmssl  # noqa: F401
from mmseg.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def _batch(n=4, hw=(40, 40), seed=0):
    g = torch.Generator().manual_seed(seed)
    p = torch.tensor([0.7, 0.2, 0.1])
    labels = torch.multinomial(p, n * hw[0] * hw[1], True, generator=g)
    labels = labels.view(n, *hw)
    conf = torch.rand(n, *hw, generator=g) * 0.5 + 0.5
    valid = torch.rand(n, *hw, generator=g) > 0.1
    return torch.where(valid, labels, 255), conf, valid


@pytest.mark.parametrize('mode', ['DA', 'DARS'])
def test_kept_shares_follow_target(mode):
    f = MODELS.build(dict(type='OnlineDistributionAlignment', num_classes=3,
                          target=[0.2, 0.4, 0.4], mode=mode, alpha=0.2,
                          decay=0.0))
    f.train()
    labels, conf, valid = _batch()
    keep = f(labels, conf, valid)
    assert not keep[~valid].any()
    kept = torch.bincount(labels[keep], minlength=3).double()
    share = kept / kept.sum()
    assert torch.allclose(share, torch.tensor([0.2, 0.4, 0.4]).double(),
                          atol=0.03), share
    assert kept.sum() == pytest.approx(0.2 * valid.sum().item(), rel=0.05)
    # state in buffers (checkpointed), eval mode does not update
    assert {'hist', 'step', 'target'} <= set(f.state_dict())
    f.eval()
    before = f.hist.clone()
    f(labels, conf, valid)
    assert torch.equal(before, f.hist) and int(f.step) == 1
    # empty batches (a rank without unsupervised samples) are fine
    f.train()
    assert f(labels[:0], conf[:0], valid[:0]).shape == (0, 40, 40)


def test_window_forgets_old_steps_and_errors():
    f = MODELS.build(dict(type='OnlineDistributionAlignment', num_classes=3,
                          target=[1, 1, 1], window=2))
    f.train()
    for s in range(3):
        f(*_batch(n=1, seed=s))
    expect = sum(
        torch.bincount(lab[v] * 1000 + (c[v] * 1000).long().clamp(max=999),
                       minlength=3000).view(3, 1000).double()
        for lab, c, v in (_batch(n=1, seed=1), _batch(n=1, seed=2)))
    assert torch.equal(f.hist, expect)
    with pytest.raises(ValueError, match='mode'):
        MODELS.build(dict(type='OnlineDistributionAlignment', num_classes=3,
                          target=[1, 1, 1], mode='ST'))
    with pytest.raises(ValueError, match='3 non-negative'):
        MODELS.build(dict(type='OnlineDistributionAlignment', num_classes=3,
                          target=[1, 1]))


def test_runner_publishes_filtered_pseudo_labels(tiny_env, tmp_path,
                                                 monkeypatch):
    """Two Dense FixMatch steps with the filter on: the published
    pseudo-labels are exactly the teacher labels the filter kept."""
    from mmengine.config import Config
    from mmengine.hooks import Hook
    from mmengine.logging import MessageHub
    from mmengine.runner import Runner

    for k in ('MMSSL_TEST_DATA_ROOT', 'MMSSL_TEST_LABELED',
              'MMSSL_TEST_UNLABELED'):
        monkeypatch.setenv(k, tiny_env[k])
    cfg = Config.fromfile(
        osp.join(ROOT, 'tests', 'configs', 'tiny_dense_fixmatch.py'))
    labeled = dict(cfg.train_dataloader.dataset.labeled)
    labeled.pop('pipeline')
    cfg.model.semi_train_cfg.pseudo_label_filter = dict(
        type='OnlineDistributionAlignment', num_classes=19, target=labeled,
        mode='DARS', alpha=0.3)
    cfg.train_cfg.max_iters = 2
    cfg.train_cfg.val_interval = 100
    cfg.custom_hooks = [dict(type='EMATeacherHook', decay=0.9)]
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=2, by_epoch=False)
    cfg.work_dir = str(tmp_path)
    runner = Runner.from_cfg(cfg)
    filt = runner.model.pseudo_label_filter
    calls, published = [], []
    real_forward = filt.forward

    def record(labels, confidence, valid):
        keep = real_forward(labels, confidence, valid)
        calls.append((labels.clone(), confidence.clone(), valid.clone(),
                      keep.clone()))
        return keep

    filt.forward = record

    class Grab(Hook):

        def after_train_iter(self, runner, batch_idx, data_batch=None,
                             outputs=None):
            info = MessageHub.get_current_instance().get_info(
                'mmssl.train_step')
            published.append(info['pseudo_labels'].clone())

    runner.register_hook(Grab())
    runner.train()
    assert len(calls) == 2 and len(published) == 2
    tau = runner.model.pseudo_threshold
    for (labels, conf, valid, keep), pub in zip(calls, published):
        want = torch.where(keep & valid & (conf >= tau), labels,
                           torch.full_like(labels, 255))
        assert torch.equal(pub, want)
        assert keep[valid].float().mean() < 0.9  # the filter removed some
    state = torch.load(str(tmp_path / 'iter_2.pth'), map_location='cpu',
                       weights_only=False)['state_dict']
    assert int(state['pseudo_label_filter.step']) == 2

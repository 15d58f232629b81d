"""SemiSegmentor: the Dense FixMatch loss, teacher handling and settings."""
from unittest import mock

import pytest
import torch
import torch.nn.functional as F

import mmssl  # noqa: F401
from mmseg.registry import MODELS
from mmssl.models.losses import valid_pixel_cross_entropy
from mmssl.models.utils import hard_pseudo_labels
from semi_helpers import NUM_CLASSES, make_batch, semi_segmentor_cfg


def build(**semi_train_cfg):
    torch.manual_seed(0)
    model = MODELS.build(semi_segmentor_cfg(**semi_train_cfg))
    model.teacher.load_state_dict(model.student.state_dict())
    return model


def test_valid_pixel_cross_entropy_averages_over_valid_only():
    torch.manual_seed(0)
    logits = torch.randn(2, 4, 5, 6)
    labels = torch.randint(0, 4, (2, 5, 6))
    labels[0, :3] = 255
    per_pixel = F.cross_entropy(logits, labels, ignore_index=255,
                                reduction='none')
    expected = per_pixel[labels != 255].mean()
    torch.testing.assert_close(
        valid_pixel_cross_entropy(logits, labels), expected)
    # mmseg's default (avg over all pixels) would be smaller here
    assert per_pixel.sum() / labels.numel() < expected


def test_no_valid_pixel_gives_exact_zero_not_nan():
    logits = torch.randn(2, 4, 5, 6, requires_grad=True)
    labels = torch.full((2, 5, 6), 255)
    loss = valid_pixel_cross_entropy(logits, labels)
    assert loss.item() == 0.0
    loss.backward()
    assert torch.isfinite(logits.grad).all()


def test_hard_pseudo_labels_threshold():
    logits = torch.tensor([[[[2.0, 0.0]], [[0.0, 0.1]]]])  # (1, 2, 1, 2)
    labels, conf = hard_pseudo_labels(logits, threshold=0.6)
    assert labels.tolist() == [[[0, 255]]]  # second location p=0.525 < 0.6
    labels0, _ = hard_pseudo_labels(logits, threshold=0.0)
    assert labels0.tolist() == [[[0, 1]]]


@pytest.mark.parametrize('tau', [-0.1, 1.0, 1.5])
def test_bad_threshold_fails_at_build(tau):
    with pytest.raises(ValueError, match='pseudo_threshold'):
        build(pseudo_threshold=tau)


def test_bad_unsup_on_fails_at_build():
    with pytest.raises(ValueError, match='unsup_on'):
        build(unsup_on='labelled')


def test_teacher_frozen_and_eval_after_train():
    model = build()
    model.train()
    assert model.student.training
    assert not model.teacher.training
    assert all(not p.requires_grad for p in model.teacher.parameters())
    inputs, samples = make_batch([True, False, False])
    losses = model.loss(inputs, samples)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()
    assert all(p.grad is None for p in model.teacher.parameters())
    assert any(p.grad is not None for p in model.student.parameters())


def test_student_runs_one_forward_over_labeled_and_strong():
    model = build(unsup_on='all')
    model.train()
    inputs, samples = make_batch([True, True, False])
    with mock.patch.object(
            model.student, 'extract_feat',
            wraps=model.student.extract_feat) as spy:
        model.loss(inputs, samples)
    assert spy.call_count == 1
    # 2 labeled weak + 3 strong views (Lu on all samples)
    assert spy.call_args.args[0].shape[0] == 5


def test_unsup_on_unlabeled_uses_only_unlabeled_strong_views():
    model = build(unsup_on='unlabeled')
    model.train()
    inputs, samples = make_batch([True, True, False])
    with mock.patch.object(
            model.student, 'extract_feat',
            wraps=model.student.extract_feat) as spy:
        model.loss(inputs, samples)
    assert spy.call_args.args[0].shape[0] == 3
    assert model.last_pseudo_labels['index'].tolist() == [2]


def test_unsup_loss_equals_independent_computation():
    model = build(pseudo_threshold=0.0, unsup_on='all')
    model.eval()  # no dropout so the student forward is reproducible
    model.unsup_weight = 0.7
    inputs, samples = make_batch([True, False], h=32, w=32)
    losses = model.loss(inputs, samples)
    with torch.no_grad():
        t_logits = model.teacher.encode_decode(
            inputs['weak'], [d.metainfo for d in samples['weak']])
        pl = t_logits.argmax(1)
        matched = torch.flip(pl, dims=[2])  # strong = h-flip of weak
        s_logits = model.student.encode_decode(
            inputs['strong'], [d.metainfo for d in samples['strong']])
        expected = F.cross_entropy(s_logits, matched)
    torch.testing.assert_close(
        losses['unsup.ce'], expected, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(losses['unsup.loss_seg'], 0.7 * expected,
                               rtol=1e-4, atol=1e-5)
    assert losses['unsup_weight'].item() == pytest.approx(0.7)
    assert losses['pseudo_valid_frac'].item() == pytest.approx(1.0)
    hist = torch.stack([losses[f'pl_hist.{c}'] for c in range(NUM_CLASSES)])
    expected_hist = torch.bincount(
        matched.flatten(), minlength=NUM_CLASSES).float() / matched.numel()
    torch.testing.assert_close(hist, expected_hist)


def test_no_confident_pseudo_label_gives_zero_lu_without_nan():
    model = build(pseudo_threshold=0.999)
    model.train()
    inputs, samples = make_batch([True, False])
    losses = model.loss(inputs, samples)
    assert losses['pseudo_valid_frac'].item() == 0.0
    assert losses['unsup.loss_seg'].item() == 0.0
    total = sum(v for k, v in losses.items() if 'loss' in k)
    assert torch.isfinite(total)
    total.backward()
    for p in model.student.parameters():
        if p.grad is not None:
            assert torch.isfinite(p.grad).all()


def test_padding_of_strong_view_is_invalid():
    model = build()
    model.eval()
    inputs, samples = make_batch([False], h=32, w=32)
    # pretend the real strong view is only 20 px wide (rest is batch padding)
    samples['strong'][0].set_metainfo(dict(img_shape=(32, 20)))
    model.loss(inputs, samples)
    matched = model.last_pseudo_labels['matched'][0]
    assert (matched[:, 20:] == 255).all()


def test_predict_routes_to_teacher_or_student():
    model = build()
    model.eval()
    # make the teacher differ from the student
    with torch.no_grad():
        for p in model.teacher.parameters():
            p.add_(0.05 * torch.randn_like(p))
    inputs, samples = make_batch([True])
    x, ds = inputs['weak'], samples['weak']
    t = model.predict(x, ds)[0].seg_logits.data
    model.semi_test_cfg['predict_on'] = 'student'
    s = model.predict(x, ds)[0].seg_logits.data
    expected_t = model.teacher.predict(x, ds)[0].seg_logits.data
    expected_s = model.student.predict(x, ds)[0].seg_logits.data
    torch.testing.assert_close(t, expected_t)
    torch.testing.assert_close(s, expected_s)
    assert not torch.allclose(t, s)


def test_warm_start_from_plain_segmentor_checkpoint(tmp_path):
    """``segmentor.init_cfg=Pretrained`` loads a plain mmseg checkpoint (what
    a supervised run saves) into both student and teacher: the demo and the
    learning benchmark start both arms from one supervised warm-up."""
    from semi_helpers import tiny_segmentor_cfg
    torch.manual_seed(1)
    plain = MODELS.build(tiny_segmentor_cfg())
    ckpt = tmp_path / 'iter_300.pth'
    torch.save({'meta': {}, 'state_dict': plain.state_dict()}, ckpt)

    cfg = semi_segmentor_cfg()
    cfg['segmentor']['init_cfg'] = dict(type='Pretrained',
                                        checkpoint=str(ckpt))
    torch.manual_seed(2)
    model = MODELS.build(cfg)
    expected = plain.state_dict()
    key = 'decode_head.conv_seg.weight'
    assert not torch.equal(model.student.state_dict()[key], expected[key])
    model.init_weights()
    for branch in (model.student, model.teacher):
        state = branch.state_dict()
        assert state.keys() == expected.keys()
        for key, value in expected.items():
            assert torch.equal(state[key], value), key

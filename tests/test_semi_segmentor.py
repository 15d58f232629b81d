"""SemiSegmentor: the Dense FixMatch loss, teacher handling and settings."""
from unittest import mock

import pytest
import torch
import torch.nn.functional as F

import mmssl  # noqa: F401
from mmengine.logging import MessageHub

from mmseg.registry import MODELS
from mmssl.models.core import HOOK_INFO_KEY
from semi_helpers import NUM_CLASSES, make_batch, semi_segmentor_cfg


def build(**semi_train_cfg):
    torch.manual_seed(0)
    model = MODELS.build(semi_segmentor_cfg(**semi_train_cfg))
    model.teacher.load_state_dict(model.student.state_dict())
    return model


def test_threshold_removes_unconfident_pixels_after_matching():
    """tau drops pixels whose teacher confidence is below it; kept pixels
    carry the teacher's argmax moved into the strong frame (h-flip)."""
    model = build(pseudo_threshold=0.6)
    model.eval()
    inputs, samples = make_batch([False], h=4, w=6)
    logits = torch.zeros(1, NUM_CLASSES, 4, 6)
    logits[0, 2, :, :3] = 5.0  # confident class 2 on the left half
    logits[0, 3, :, 3:] = 0.5  # unconfident class 3 on the right half
    with mock.patch.object(model, 'teacher_logits', return_value=logits):
        targets = model.make_pseudo_targets(
            model.split_batch(inputs, samples))
    probs = logits.softmax(1).max(1).values
    assert probs[0, 0, 0] > 0.6 > probs[0, 0, 5]
    # strong = h-flip: the confident half lands on the right
    assert (targets.labels[0, :, 3:] == 2).all()
    assert (targets.labels[0, :, :3] == 255).all()
    torch.testing.assert_close(targets.confidence[0],
                               torch.flip(probs[0], dims=[1]))
    assert targets.valid.all()


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
    assert hook_info()['index'] == [2]


def hook_info():
    return MessageHub.get_current_instance().get_info(HOOK_INFO_KEY)


def test_sample_without_is_labeled_is_an_error_naming_the_transforms():
    model = build()
    inputs, samples = make_batch([True, False])
    meta = dict(samples['weak'][1].metainfo)
    del meta['is_labeled']
    samples['weak'][1] = samples['weak'][1].__class__(metainfo=meta)
    with pytest.raises(KeyError, match='LoadEmptySegMap'):
        model.loss(inputs, samples)


def test_published_info_is_renewed_every_step():
    """A step with nothing to pseudo-label replaces the previous step's
    pseudo-labels: hooks never see an older batch's labels."""
    model = build(unsup_on='unlabeled')
    model.train()
    model.loss(*make_batch([True, False]))
    assert hook_info()['index'] == [1]
    model.loss(*make_batch([True, True]))
    info = hook_info()
    assert info['index'] == [] and info['pseudo_labels'].shape[0] == 0
    assert info['class_counts'].sum().item() == 0


def test_unsup_loss_equals_independent_computation():
    """Lu is the segmentor's own loss (decode CE + 0.4 aux CE, averaged over
    valid pixels) against the teacher's matched argmax, times lambda."""
    model = build(pseudo_threshold=0.0, unsup_on='all')
    model.eval()  # no dropout so the student forward is reproducible
    model.unsup_weight = 0.7
    inputs, samples = make_batch([True, False], h=32, w=32)
    losses = model.loss(inputs, samples)
    student = model.student
    with torch.no_grad():
        t_logits = model.teacher.encode_decode(
            inputs['weak'], [d.metainfo for d in samples['weak']])
        pl = t_logits.argmax(1)
        matched = torch.flip(pl, dims=[2])  # strong = h-flip of weak
        feats = student.extract_feat(inputs['strong'])
        s_logits = F.interpolate(
            student.decode_head.forward(feats), size=(32, 32),
            mode='bilinear', align_corners=False)
        a_logits = F.interpolate(
            student.auxiliary_head.forward(feats), size=(32, 32),
            mode='bilinear', align_corners=False)
        expected_decode = F.cross_entropy(s_logits, matched)
        expected_aux = F.cross_entropy(a_logits, matched)
    torch.testing.assert_close(losses['unsup.decode.loss_ce'],
                               0.7 * expected_decode, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(losses['unsup.aux.loss_ce'],
                               0.7 * 0.4 * expected_aux, rtol=1e-4,
                               atol=1e-5)
    assert losses['unsup_weight'].item() == pytest.approx(0.7)
    assert losses['pseudo_valid_frac'].item() == pytest.approx(1.0)
    expected_counts = torch.bincount(matched.flatten(),
                                     minlength=NUM_CLASSES)
    assert torch.equal(hook_info()['class_counts'], expected_counts)
    # the histogram is not logged as one console entry per class
    assert not any(k.startswith('pl_hist') for k in losses)


def test_no_confident_pseudo_label_gives_zero_lu_without_nan():
    model = build(pseudo_threshold=0.999)
    model.train()
    inputs, samples = make_batch([True, False])
    losses = model.loss(inputs, samples)
    assert losses['pseudo_valid_frac'].item() == 0.0
    assert losses['unsup.decode.loss_ce'].item() == 0.0
    assert losses['unsup.aux.loss_ce'].item() == 0.0
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
    targets = model.make_pseudo_targets(model.split_batch(inputs, samples))
    assert (targets.labels[0, :, 20:] == 255).all()
    assert not targets.valid[0, :, 20:].any()
    assert (targets.labels[0, :, :20] != 255).all()


@pytest.mark.parametrize('labeled', [True, False])
def test_strong_ignore_region_removes_pseudo_labels(labeled):
    """Pixels that the strong view's map marks ignored (e.g. a Cutout box
    with erase_seg=True) get no pseudo-label, labeled sample or not."""
    model = build()
    model.eval()
    inputs, samples = make_batch([labeled], h=32, w=32)
    gt = samples['strong'][0].gt_sem_seg.data
    gt[0, 5:15, 8:20] = 255
    targets = model.make_pseudo_targets(model.split_batch(inputs, samples))
    box = torch.zeros(32, 32, dtype=torch.bool)
    box[5:15, 8:20] = True
    assert (targets.labels[0][box] == 255).all()
    assert (targets.labels[0][~box] != 255).all()
    assert torch.equal(targets.valid[0], ~box)


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

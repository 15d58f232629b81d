"""UniMatch V2: Complementary Dropout against the official code, the EMA
schedule, the model's loss against an independent computation written
from the official ``unimatch_v2.py`` on the DINOv2 + DPT model, and the
mixing through the real training path (the demo config's dataloader ->
preprocessor -> model) with the colour oracle as the model."""
import copy
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmssl  # noqa: F401
from colour_oracle import ROOT, seed_everything
from mmseg.registry import MODELS
from mmssl.engine.hooks.ema_teacher_hook import EMATeacherHook
from mmssl.models.utils import ComplementaryDropout, batch_frame_metas
from semi_helpers import NUM_CLASSES
from test_unimatch import (_boxes_to_mask, build_demo, colour_dataset,  # noqa
                           oracle_segmentor, three_view_batch)

DEMO = osp.join(
    ROOT, 'configs', 'demo', 'unimatch-v2_deeplabv3plus_r18-d8_1xb8-'
    'explicit-cpu-sup300i-100i_synthcityscapes-8.py')
MODEL_BASE = osp.join(ROOT, 'configs', '_base_', 'models',
                      'unimatch_v2_dpt_dinov2-s.py')


@pytest.fixture(autouse=True, scope='module')
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    init_default_scope('mmseg')
    yield
    torch.set_num_threads(before)


def official_comp_drop(features, bs, dim):
    """model/semseg/dpt.py ``forward(comp_drop=True)``, verbatim but for
    ``.cuda()`` and the feature layout (channels of maps / tokens)."""
    binomial = torch.distributions.binomial.Binomial(probs=0.5)
    dropout_mask1 = binomial.sample((bs // 2, dim)) * 2.0
    dropout_mask2 = 2.0 - dropout_mask1
    dropout_prob = 0.5
    num_kept = int(bs // 2 * (1 - dropout_prob))
    kept_indexes = torch.randperm(bs // 2)[:num_kept]
    dropout_mask1[kept_indexes, :] = 1.0
    dropout_mask2[kept_indexes, :] = 1.0
    dropout_mask = torch.cat((dropout_mask1, dropout_mask2))
    return [f * dropout_mask.unsqueeze(1) for f in features]


# ------------------------------------------------- Complementary Dropout
def test_complementary_dropout_equals_the_official_code():
    bs, n_tok, dim = 6, 20, 16
    tokens = [torch.randn(bs, n_tok, dim) for _ in range(4)]
    torch.manual_seed(3)
    want = official_comp_drop(tokens, bs, dim)
    torch.manual_seed(3)
    got = ComplementaryDropout()(tokens)
    for a, b in zip(got, want):
        assert torch.equal(a, b)
    # mmseg's ViT layout: per layer [map (B, C, H, W), class token (B, C)]
    maps = [[t.transpose(1, 2).reshape(bs, dim, 4, 5), t[:, 0]]
            for t in tokens]
    torch.manual_seed(3)
    got = ComplementaryDropout()(maps)
    for (fmap, cls), b in zip(got, want):
        assert torch.equal(fmap.flatten(2).transpose(1, 2), b)


def test_complementary_dropout_structure():
    n, bs = 8, 16
    feats = [torch.ones(bs, 32, 3, 3), torch.ones(bs, 32, 3, 3),
             torch.ones(bs, 64, 2, 2)]
    torch.manual_seed(0)
    out = ComplementaryDropout()(feats)
    m32 = out[0][:, :, 0, 0]
    assert torch.equal(out[1][:, :, 0, 0], m32)  # shared by same width
    m64 = out[2][:, :, 0, 0]
    for m in (m32, m64):
        first, second = m[:n], m[n:]
        kept = (first == 1).all(1)
        assert torch.equal(kept, (second == 1).all(1))
        assert int(kept.sum()) == n // 2  # int(n * (1 - 0.5)) pairs kept
        # perturbed pairs: every channel in exactly one view, scaled by 2
        assert torch.equal(first[~kept] + second[~kept],
                           torch.full_like(first[~kept], 2.0))
        assert torch.equal(first[~kept] * second[~kept],
                           torch.zeros_like(first[~kept]))
    # the same pairs are left alone at every width
    assert torch.equal((m32[:n] == 1).all(1), (m64[:n] == 1).all(1))
    with pytest.raises(ValueError, match='pairs'):
        ComplementaryDropout()(torch.ones(3, 4, 2, 2))
    with pytest.raises(ValueError, match='ComplementaryDropout.p'):
        ComplementaryDropout(p=1.0)


def test_ema_mean_start_follows_the_official_ratio():
    hook = EMATeacherHook(decay=0.996, mean_start=True)
    for it in (0, 1, 2, 10, 249, 250, 1000):
        assert hook.decay_at(it) == min(1 - 1 / (it + 1), 0.996)
    assert EMATeacherHook(decay=0.99).decay_at(0) == 0.99

    # after t updates from the start copy the teacher is the mean of the
    # students of iterations 0..t (decay 1 - 1 / (t + 1))
    class _Model(torch.nn.Module):

        def __init__(self):
            super().__init__()
            self.student = torch.nn.Linear(2, 2)
            self.teacher = torch.nn.Linear(2, 2)

    class _Runner:
        iter = 0
    runner = _Runner()
    runner.model = _Model()
    hook.before_train(runner)
    seen = []
    for it in range(4):
        runner.iter = it
        with torch.no_grad():
            runner.model.student.weight.normal_()
        seen.append(runner.model.student.weight.clone())
        hook.after_train_iter(runner, it)
    torch.testing.assert_close(runner.model.teacher.weight,
                               torch.stack(seen).mean(0))


# ---------------------------------------------------- loss equivalence
def tiny_v2_cfg(**semi):
    cfg = Config.fromfile(MODEL_BASE)
    m = copy.deepcopy(cfg.model)
    seg = m.segmentor
    seg.backbone.update(img_size=56, embed_dims=48, num_layers=4, num_heads=2,
                        out_indices=(0, 1, 2, 3), init_cfg=None)
    seg.decode_head.update(in_channels=(48, ) * 4, embed_dims=48,
                           channels=16, post_process_channels=[8, 16, 32, 48],
                           num_classes=NUM_CLASSES)
    m.semi_train_cfg.update(semi)
    return m


def reference_v2_loss(student, teacher, x, y_x, u_w, u_s1, u_s2, ignore_mask,
                      box1, box2, thr, seed):
    """The official unimatch_v2.py step written from scratch on the mmseg
    DINOv2 + DPT segmentors (student, EMA teacher): teacher on the weak
    views, CutMix of images and labels with the reversed batch, the
    student on the labeled views and (separately) on the mixed strong
    views with Complementary Dropout, masked cross-entropies averaged over
    the valid pixels, (Lx + (Ls1 + Ls2) / 2) / 2."""
    hw = x.shape[2:]

    def logits(seg, img, comp_drop=False):
        feats = seg.extract_feat(img)
        if comp_drop:
            torch.manual_seed(seed)
            maps = official_comp_drop([f[0].flatten(2).transpose(1, 2)
                                       for f in feats], len(img),
                                      feats[0][0].shape[1])
            feats = [[m.transpose(1, 2).reshape(f[0].shape), f[1]]
                     for m, f in zip(maps, feats)]
        out = seg.decode_head.forward(feats)
        return F.interpolate(out, size=hw, mode='bilinear',
                             align_corners=True)

    with torch.no_grad():
        pred_u_w = logits(teacher, u_w).detach()
        conf_u_w = pred_u_w.softmax(dim=1).max(dim=1)[0]
        mask_u_w = pred_u_w.argmax(dim=1)
    img_u_s1, img_u_s2 = u_s1.clone(), u_s2.clone()
    b1 = box1.unsqueeze(1).expand(img_u_s1.shape) == 1
    b2 = box2.unsqueeze(1).expand(img_u_s2.shape) == 1
    img_u_s1[b1] = img_u_s1.flip(0)[b1]
    img_u_s2[b2] = img_u_s2.flip(0)[b2]
    pred_x = logits(student, x)
    pred_u_s1, pred_u_s2 = logits(student, torch.cat((img_u_s1, img_u_s2)),
                                  comp_drop=True).chunk(2)

    def cutmixed(box):
        m, c, ig = mask_u_w.clone(), conf_u_w.clone(), ignore_mask.clone()
        m[box == 1] = mask_u_w.flip(0)[box == 1]
        c[box == 1] = conf_u_w.flip(0)[box == 1]
        ig[box == 1] = ignore_mask.flip(0)[box == 1]
        return m, c, ig

    def masked_ce(pred, labels, conf, ignore):
        loss = F.cross_entropy(pred, labels, reduction='none')
        loss = loss * ((conf >= thr) & (ignore != 255))
        return loss.sum() / (ignore != 255).sum().item()

    loss_x = F.cross_entropy(pred_x, y_x, ignore_index=255)
    loss_u_s1 = masked_ce(pred_u_s1, *cutmixed(box1))
    loss_u_s2 = masked_ce(pred_u_s2, *cutmixed(box2))
    loss_u_s = (loss_u_s1 + loss_u_s2) / 2.0
    mask_ratio = ((conf_u_w >= thr) & (ignore_mask != 255)).sum().item() / (
        ignore_mask != 255).sum()
    return (loss_x + loss_u_s) / 2.0, float(mask_ratio)


def test_loss_equals_the_official_computation():
    torch.manual_seed(0)
    thr = 0.8
    model = MODELS.build(tiny_v2_cfg(pseudo_threshold=thr))
    model.init_weights()
    # a teacher that differs from the student (the EMA of earlier steps)
    with torch.no_grad():
        for t, s in zip(model.teacher.parameters(),
                        model.student.parameters()):
            t.copy_(s + 0.05 * torch.randn_like(s))
    model.train()
    flags = [True, True, False, False, False, False]
    h = w = 56
    inputs, samples, gts = three_view_batch(flags, h, w, pad_cols=6)
    boxes1 = [(2, 3, 30, 17), (0, 0, 0, 0), (10, 12, 41, 50), (5, 5, 9, 9)]
    boxes2 = [(5, 0, 50, 19), (4, 4, 25, 28), (0, 16, 22, 56), (0, 0, 0, 0)]
    calls = iter([boxes1, boxes2])
    model.mask_generator = lambda labels, hw, c: _boxes_to_mask(
        next(calls), len(hw), h, w)
    model.mask_generator.needs_partner = True
    lab = torch.tensor(flags)
    ignore = torch.stack([g for g, f in zip(gts, flags) if not f])
    ignore = torch.where(ignore == 255, 255, 0)
    student_ref = copy.deepcopy(model.student)
    teacher_ref = copy.deepcopy(model.teacher).eval()
    expected, ratio = reference_v2_loss(
        student_ref, teacher_ref, inputs['weak'][lab],
        torch.stack(gts[:2]), inputs['weak'][~lab], inputs['strong'][~lab],
        inputs['strong2'][~lab], ignore,
        (~_boxes_to_mask(boxes1, 4, h, w)).long(),
        (~_boxes_to_mask(boxes2, 4, h, w)).long(), thr, seed=11)
    assert 0.05 < ratio < 0.95, ratio  # the threshold drops some pixels
    torch.manual_seed(11)  # the Complementary Dropout draws
    losses = model.loss(inputs, samples)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    assert {k for k in losses if 'loss' in k} == {
        'sup.decode.loss_ce', 'unsup_s1.decode.loss_ce',
        'unsup_s2.decode.loss_ce'}
    assert float(total) == pytest.approx(float(expected), rel=1e-5)
    assert float(losses['mask_ratio']) == pytest.approx(ratio, rel=1e-6)
    total.backward()
    expected.backward()
    for (name, p), q in zip(model.student.named_parameters(),
                            student_ref.parameters()):
        torch.testing.assert_close(
            p.grad, q.grad, rtol=1e-4, atol=1e-6, msg=name)
    assert all(p.grad is None for p in model.teacher.parameters())


# ------------------------------------------------------- the real path
def test_mixed_teacher_labels_land_on_the_mixed_pixels(colour_dataset):  # noqa: F811
    """The V2 demo config's real path with the colour oracle as student
    and teacher: each strong view is mixed with the reversed batch, its
    targets agree pixel by pixel with the oracle's reading of the MIXED
    input, and the two views use different boxes."""
    seed_everything(0)
    loader, model = build_demo(
        colour_dataset, (128, 128), photometric=False,
        segmentor=oracle_segmentor, config=DEMO, pseudo_threshold=0.0)
    model.train()
    pasted = differ_mask = 0
    for _, data_batch in zip(range(3), loader):
        data = model.data_preprocessor(data_batch, True)
        batch = model.split_batch(data['inputs'], data['data_samples'])
        targets = model.make_pseudo_targets(batch)
        unsup = model.build_unsup_batch(batch, targets)
        n = len(batch.unsup_idx)
        assert len(unsup.inputs) == 2 * n  # s1 then s2, no weak stream
        reverse = torch.arange(n).flip(0)
        for view, strong, tgt, partner, mask in (
                (0, batch.strong_inputs, targets.s1, targets.partner1,
                 targets.mask1),
                (1, batch.strong2_inputs, targets.s2, targets.partner2,
                 targets.mask2)):
            assert torch.equal(partner, reverse)
            mixed = unsup.inputs[view * n:(view + 1) * n]
            own = strong[batch.unsup_idx]
            torch.testing.assert_close(
                mixed, torch.where(mask[:, None], own, own[partner]))
            samples = targets.s1_samples if view == 0 else targets.s2_samples
            with torch.no_grad():
                seen = model.teacher.encode_decode(
                    mixed, batch_frame_metas(mixed, samples)).argmax(1)
            has = tgt.labels != 255
            assert has.float().mean() > 0.5
            assert (seen[has] == tgt.labels[has]).float().mean() > 0.99
            pasted += int((~mask & has).sum())
        differ_mask += int((targets.mask1 != targets.mask2).any())
    assert pasted > 0 and differ_mask >= 2


def test_strong_streams_train_decoder_and_backbone(colour_dataset):  # noqa: F811
    """The V2 demo's DeepLabv3+ R18 (random init), only the strong streams
    weighted: their loss reaches the decode head, the auxiliary head and
    the backbone through the Complementary Dropout; the teacher gets no
    gradient."""
    seed_everything(0)
    loader, model = build_demo(
        colour_dataset, (64, 64), config=DEMO, pseudo_threshold=0.0,
        stream_weights=dict(sup=0.0, s1=0.5, s2=0.5))
    model.teacher.load_state_dict(model.student.state_dict())
    model.train()
    data = model.data_preprocessor(next(iter(loader)), True)
    losses = model(**data, mode='loss')
    pos = {k for k, v in losses.items() if 'loss' in k and float(v) > 0}
    assert pos == {'unsup_s1.decode.loss_ce', 'unsup_s1.aux.loss_ce',
                   'unsup_s2.decode.loss_ce', 'unsup_s2.aux.loss_ce'}, pos
    loss, _ = model.parse_losses(losses)
    loss.backward()
    for part in ('backbone', 'decode_head', 'auxiliary_head'):
        grads = [
            p.grad.abs().sum() for name, p in model.student.named_parameters()
            if name.startswith(part) and p.grad is not None
        ]
        assert grads and sum(grads) > 0, part
    assert all(p.grad is None for p in model.teacher.parameters())


def test_settings_are_checked_at_build():
    with pytest.raises(ValueError, match="teacher='ema'"):
        MODELS.build(tiny_v2_cfg(teacher='student'))
    # V1's keys are not V2's: an error, not a silently ignored setting
    with pytest.raises(ValueError, match="unknown semi_train_cfg key.*"
                       "'fp_batching'"):
        MODELS.build(tiny_v2_cfg(fp_batching='concat'))
    with pytest.raises(ValueError, match='stream_weights'):
        MODELS.build(tiny_v2_cfg(stream_weights=dict(fp=0.5)))

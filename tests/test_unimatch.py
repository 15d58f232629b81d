"""UniMatch (V1): the core's teacher='student' setting, the feature-
perturbation seam, the model's loss against an independent computation
written from the paper / official code, and the mixing through the real
training path (a config's dataloader -> preprocessor -> model) with the
colour oracle as the model."""
import copy

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmengine.structures import PixelData

import mmssl  # noqa: F401
from colour_oracle import (NUM_CLASSES as ORACLE_CLASSES, ROOT,  # noqa
                           seed_everything, write_colour_dataset)
from mmseg.registry import MODELS, TASK_UTILS
from mmseg.structures import SegDataSample
from mmssl.models.segmentors import unimatch_base as unimatch_mod
from mmssl.models.utils import FeatureDropout, batch_frame_metas
from mmssl.models.utils.feature_perturbation import map_features
from semi_helpers import NUM_CLASSES, semi_segmentor_cfg, tiny_segmentor_cfg

DEMO = (ROOT + '/configs/demo/unimatch_deeplabv3plus_r18-d8_1xb8-explicit-'
        'cpu-sup300i-100i_synthcityscapes-8.py')


@pytest.fixture(autouse=True, scope='module')
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    init_default_scope('mmseg')
    yield
    torch.set_num_threads(before)


def unimatch_cfg(aux=False, **semi_train_cfg):
    cfg = semi_segmentor_cfg(**semi_train_cfg)
    cfg['type'] = 'UniMatch'
    seg = tiny_segmentor_cfg(aux=aux)
    seg['decode_head']['dropout_ratio'] = 0.0  # the official has none
    cfg['segmentor'] = seg
    return cfg


def three_view_batch(flags, h=32, w=32, pad_cols=4, seed=0):
    """Preprocessed weak / strong / strong2 views of one crop (identity
    homographies: photometric strong views, as the official); the last
    ``pad_cols`` columns are padding (255) in every view of the unlabeled
    samples, as the official ``ignore_mask``."""
    g = torch.Generator().manual_seed(seed)
    n = len(flags)
    weak = torch.randn(n, 3, h, w, generator=g)
    inputs = dict(
        weak=weak,
        strong=weak + 0.3 * torch.randn(n, 3, h, w, generator=g),
        strong2=weak + 0.3 * torch.randn(n, 3, h, w, generator=g))
    rng = np.random.RandomState(seed)
    gts = []
    for labeled in flags:
        if labeled:
            gt = rng.randint(0, NUM_CLASSES, (h, w))
            gt[:2] = 255
        else:
            gt = np.full((h, w), 254)
            gt[:, w - pad_cols:] = 255
        gts.append(torch.as_tensor(gt).long())
    samples = {}
    for view in inputs:
        samples[view] = []
        for i, labeled in enumerate(flags):
            ds = SegDataSample(
                metainfo=dict(
                    img_shape=(h, w),
                    ori_shape=(h, w),
                    pad_shape=(h, w),
                    homography_matrix=np.eye(3, dtype=np.float32),
                    is_labeled=labeled,
                    img_path=f'img{i}.png'))
            ds.gt_sem_seg = PixelData(data=gts[i][None].clone())
            samples[view].append(ds)
    return inputs, samples, gts


# ------------------------------------------------------------ the core
def test_teacher_student_setting_has_no_second_model():
    model = MODELS.build(unimatch_cfg())
    assert model.teacher_is_student and model.teacher is model.student
    assert not any(k.startswith('teacher.') for k in model.state_dict())
    assert all(p.requires_grad for p in model.student.parameters())
    model.train()
    assert model.student.training  # train() leaves the student alone
    with model.teacher_eval():
        assert not model.student.training
    assert model.student.training
    # the EMA hook refuses a model without an EMA teacher
    from mmssl.engine.hooks.ema_teacher_hook import EMATeacherHook

    class _Runner:
        iter = 0
    runner = _Runner()
    runner.model = model
    with pytest.raises(ValueError, match='no EMA teacher'):
        EMATeacherHook().before_train(runner)


def test_ema_teacher_unchanged_and_student_teacher_for_dense_fixmatch():
    ema = MODELS.build(semi_segmentor_cfg())
    assert not ema.teacher_is_student and ema.teacher is not ema.student
    assert any(k.startswith('teacher.') for k in ema.state_dict())
    ema.train()
    assert not ema.teacher.training
    with ema.teacher_eval():
        assert not ema.teacher.training and ema.student.training
    # Dense FixMatch with teacher='student': one step, pseudo-labels from
    # the student in eval mode, the student back in train mode after
    model = MODELS.build(semi_segmentor_cfg(teacher='student'))
    model.train()
    inputs, samples, _ = three_view_batch([True, False])
    inputs.pop('strong2'), samples.pop('strong2')
    losses = model.loss(inputs, samples)
    assert model.student.training
    loss = sum(v for k, v in losses.items() if 'loss' in k)
    loss.backward()
    with pytest.raises(ValueError, match='teacher'):
        MODELS.build(semi_segmentor_cfg(teacher='emma'))


def test_feature_dropout_drops_whole_channels_per_level():
    torch.manual_seed(0)
    fd = FeatureDropout(0.5)
    feats = [torch.ones(2, 64, 4, 4), torch.ones(2, 64, 2, 2),
             torch.ones(3, 5)]
    out = fd(feats)
    for x in out[:2]:
        per_channel = x.flatten(2)
        # each channel all zeros or all 2 (kept channels scaled by 1/(1-p))
        assert ((per_channel == 0).all(-1) | (per_channel == 2).all(-1)).all()
        assert 0.2 < (per_channel[..., 0] == 0).float().mean() < 0.8
    # the levels draw their own channels; non-4-D tensors pass unchanged
    assert not torch.equal(out[0][:, :, 0, 0], out[1][:, :, 0, 0])
    assert out[2] is feats[2]
    fd.eval()  # always active, as the official fresh nn.Dropout2d
    assert (fd(feats)[0] == 0).any()


def test_unimatch_views_add_a_second_strong_branch():
    from mmseg.registry import TRANSFORMS
    pack = dict(type='PackSegInputs', meta_keys=('img_shape',
                                                 'homography_matrix'))
    views = TRANSFORMS.build(
        dict(
            type='SemiViews',
            weak=[pack],
            strong=[dict(type='ColorJitter', prob=1.0), pack],
            strong2=[dict(type='ColorJitter', prob=1.0), pack],
            crop_size=(24, 24),
            crop_relation='same',
            share_scale=True))
    rng = np.random.RandomState(0)
    img = rng.randint(0, 256, (40, 50, 3)).astype(np.uint8)
    out = views(
        dict(img=img, gt_seg_map=np.zeros((40, 50), np.uint8),
             seg_fields=['gt_seg_map'], img_shape=(40, 50)))
    assert set(out['inputs']) == {'weak', 'strong', 'strong2'}
    h = [out['data_samples'][b].homography_matrix for b in out['inputs']]
    assert np.array_equal(h[0], h[1]) and np.array_equal(h[1], h[2])
    s1, s2 = out['inputs']['strong'], out['inputs']['strong2']
    assert s1.shape == s2.shape and not torch.equal(s1, s2)


def test_unimatch_box_generator_follows_obtain_cutmix_box():
    gen = TASK_UTILS.build(dict(type='UniMatchCutMixMaskGenerator'))
    torch.manual_seed(0)
    boxes = gen.sample([(321, 321)] * 2000)[:, 0]
    hw = (boxes[:, 2:] - boxes[:, :2]).double()
    drawn = hw.prod(1) > 0
    assert 0.45 < drawn.float().mean() < 0.55  # p = 0.5
    area = hw.prod(1)[drawn] / 321**2
    assert area.min() > 0.015 and area.max() <= 0.4
    ratio = hw[drawn, 0] / hw[drawn, 1]  # h / w = ratio
    assert ratio.min() > 0.25 and ratio.max() < 1 / 0.25
    assert (boxes[:, 2] <= 321).all() and (boxes[:, 3] <= 321).all()


# ---------------------------------------------------- loss equivalence
@MODELS.register_module(force=True)
class FixedChannelDrop(nn.Module):
    """Deterministic stand-in for FeatureDropout (drop p = 0.5, scale 2):
    the same channels for the same shape, so that the model and the
    reference computation perturb identically."""

    def forward(self, feats):

        def one(x):
            g = torch.Generator().manual_seed(7 * x.shape[1] + x.shape[0])
            keep = torch.rand(x.shape[0], x.shape[1], 1, 1, generator=g)
            return x * (keep >= 0.5).to(x.dtype) * 2.0

        return map_features(feats, one)


def _boxes_to_mask(boxes, n, h, w):
    mask = torch.ones(n, h, w, dtype=torch.bool)
    for k, (y0, x0, y1, x1) in enumerate(boxes):
        mask[k, y0:y1, x0:x1] = False
    return mask


def reference_unimatch_loss(seg, x, y_x, u_w, u_s1, u_s2, ignore_mask, box1,
                            box2, p1, p2, thr):
    """The paper's / official unimatch.py loss written from scratch on an
    mmseg EncoderDecoder (DeepLabv3+ decode head only): eval-mode
    predictions of the mixing partners, CutMix of images and labels,
    train-mode forward of (x, u_w) with the heads on clean + perturbed
    features, forward of the mixed strong views, masked cross-entropies
    averaged over the non-ignored pixels, (Lx + .25 Ls1 + .25 Ls2 + .5 Lfp)
    / 2."""
    hw = x.shape[2:]
    perturb = FixedChannelDrop()

    def decode(feats):
        return F.interpolate(
            seg.decode_head.forward(feats), size=hw, mode='bilinear',
            align_corners=False)

    seg.eval()
    with torch.no_grad():
        pred_mix = decode(seg.extract_feat(u_w))
        conf_mix, mask_mix = pred_mix.softmax(1).max(1)
    img_s1, img_s2 = u_s1.clone(), u_s2.clone()
    b1 = box1.unsqueeze(1).expand(img_s1.shape)
    b2 = box2.unsqueeze(1).expand(img_s2.shape)
    img_s1[b1] = u_s1[p1][b1]
    img_s2[b2] = u_s2[p2][b2]
    seg.train()
    nl, nu = len(x), len(u_w)
    feats = seg.extract_feat(torch.cat([x, u_w]))
    fp = perturb(feats)
    outs = decode([torch.cat([a, b]) for a, b in zip(feats, fp)])
    preds, preds_fp = outs.chunk(2)
    pred_x, pred_u_w = preds.split([nl, nu])
    pred_u_w_fp = preds_fp[nl:]
    pred_s1, pred_s2 = decode(seg.extract_feat(torch.cat([img_s1,
                                                          img_s2]))).chunk(2)
    pred_u_w = pred_u_w.detach()
    conf_u_w, mask_u_w = pred_u_w.softmax(1).max(1)

    def cutmixed(box, p):
        m, c, ig = mask_u_w.clone(), conf_u_w.clone(), ignore_mask.clone()
        m[box] = mask_mix[p][box]
        c[box] = conf_mix[p][box]
        ig[box] = ignore_mask[p][box]
        return m, c, ig

    def masked_ce(pred, labels, conf, ignore):
        loss = F.cross_entropy(pred, labels, reduction='none')
        loss = loss * ((conf >= thr) & (ignore != 255))
        return loss.sum() / (ignore != 255).sum().item()

    loss_x = F.cross_entropy(pred_x, y_x, ignore_index=255)
    loss_s1 = masked_ce(pred_s1, *cutmixed(box1, p1))
    loss_s2 = masked_ce(pred_s2, *cutmixed(box2, p2))
    loss_fp = masked_ce(pred_u_w_fp, mask_u_w, conf_u_w, ignore_mask)
    kept = ((conf_u_w >= thr) & (ignore_mask != 255)).float().sum() / (
        ignore_mask != 255).sum()
    return (loss_x + loss_s1 * 0.25 + loss_s2 * 0.25 +
            loss_fp * 0.5) / 2.0, float(kept)


@pytest.mark.parametrize('partners', ['shared', 'independent'])
def test_loss_equals_the_paper_computation(partners, monkeypatch):
    torch.manual_seed(0)
    thr = 0.3
    model = MODELS.build(
        unimatch_cfg(
            unsup_on='unlabeled',
            pseudo_threshold=thr,
            partners=partners,
            feature_perturbation=dict(type='FixedChannelDrop')))
    model.train()
    flags = [True, True, False, False, False]
    h = w = 32
    inputs, samples, gts = three_view_batch(flags, h, w)
    # fixed boxes (one empty: no mix for that sample) and partners
    boxes1 = [(2, 3, 20, 17), (0, 0, 0, 0), (10, 12, 31, 32)]
    boxes2 = [(5, 0, 30, 9), (4, 4, 25, 28), (0, 16, 12, 32)]
    calls = iter([boxes1, boxes2])
    model.mask_generator = lambda labels, hw, c: _boxes_to_mask(
        next(calls), len(hw), h, w)
    model.mask_generator.needs_partner = True
    p1, p2 = torch.tensor([1, 2, 0]), torch.tensor([2, 0, 1])
    draws = iter([(p1, torch.ones(3, dtype=torch.bool)),
                  (p2, torch.ones(3, dtype=torch.bool))])
    monkeypatch.setattr(unimatch_mod, 'choose_partners',
                        lambda keys: next(draws))
    if partners == 'shared':
        p2 = p1
    # the reference first, on a copy (the train-mode forwards update BN's
    # running statistics, which the eval-mode forward reads)
    ref_seg = copy.deepcopy(model.student)
    lab = torch.tensor(flags)
    ignore = torch.stack([g for g, f in zip(gts, flags) if not f])
    ignore = torch.where(ignore == 255, 255, 0)
    expected, kept = reference_unimatch_loss(
        ref_seg, inputs['weak'][lab], torch.stack(gts[:2]),
        inputs['weak'][~lab], inputs['strong'][~lab],
        inputs['strong2'][~lab], ignore, ~_boxes_to_mask(boxes1, 3, h, w),
        ~_boxes_to_mask(boxes2, 3, h, w), p1, p2, thr)
    assert 0.05 < kept < 0.95, kept  # the threshold drops some pixels
    losses = model.loss(inputs, samples)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    assert {k for k in losses if 'loss' in k} == {
        'sup.decode.loss_ce', 'unsup_s1.decode.loss_ce',
        'unsup_s2.decode.loss_ce', 'unsup_fp.decode.loss_ce'}
    assert float(total) == pytest.approx(float(expected), rel=1e-5)
    assert float(losses['mask_ratio']) == pytest.approx(kept, rel=1e-6)
    # and the gradients agree too
    total.backward()
    expected.backward()
    for (name, p), q in zip(model.student.named_parameters(),
                            ref_seg.parameters()):
        torch.testing.assert_close(
            p.grad, q.grad, rtol=1e-4, atol=1e-6, msg=name)


# ------------------------------------------------------- the real path
def oracle_segmentor(pre):
    return dict(
        type='EncoderDecoder',
        backbone=dict(
            type='ColourOracleBackbone',
            mean=list(pre['mean']),
            std=list(pre['std'])),
        decode_head=dict(
            type='PassThroughHead',
            in_channels=ORACLE_CLASSES,
            channels=ORACLE_CLASSES,
            num_classes=ORACLE_CLASSES,
            in_index=0,
            align_corners=False,
            loss_decode=dict(type='CrossEntropyLoss', avg_non_ignore=True)),
        test_cfg=dict(mode='whole'))


def build_demo(root, crop, photometric=True, segmentor=None, config=DEMO,
               **semi):
    """The UniMatch (or ``config``'s) demo config's dataloader on ``root`` (Cityscapes
    layout, colour_oracle.write_colour_dataset) at test size, and its
    model (``segmentor`` replaces the segmentor, e.g. the oracle)."""
    cfg = Config.fromfile(config)
    loader = copy.deepcopy(cfg.train_dataloader)
    loader.update(batch_size=6, num_workers=0, persistent_workers=False)
    loader.sampler.update(batch_size=6, num_labeled=2, seed=0)
    for part, ann in (('labeled', 'labeled.txt'),
                      ('unlabeled', 'unlabeled.txt')):
        ds = loader.dataset[part]
        ds.update(
            data_root=root,
            ann_file=ann,
            data_prefix=dict(
                img_path='leftImg8bit/train', seg_map_path='gtFine/train'))
        views = ds.pipeline[-1]
        assert views.type == 'SemiViews'
        views.update(
            crop_size=crop, resize=dict(views.resize, scale=(256, 128)))
        if not photometric:  # colours must stay decodable by the oracle
            views.update(strong=views.weak, strong2=views.weak)
    model_cfg = copy.deepcopy(cfg.model)
    pre = model_cfg.data_preprocessor.data_preprocessor
    pre.size = crop
    if segmentor is not None:
        model_cfg.segmentor = segmentor(pre)
    else:
        model_cfg.segmentor.init_cfg = None
    model_cfg.semi_train_cfg.update(semi)
    return Runner.build_dataloader(loader, seed=0), MODELS.build(model_cfg)


@pytest.fixture(scope='module')
def colour_dataset(tmp_path_factory):
    return write_colour_dataset(tmp_path_factory.mktemp('colour_unimatch'))


@pytest.mark.parametrize('partners', ['shared', 'independent'])
def test_mixed_pseudo_labels_land_on_the_mixed_pixels(colour_dataset,
                                                      partners):
    """Real path with the colour oracle as the model (it labels itself):
    each strong view's mixed pseudo-labels agree, pixel by pixel, with the
    oracle's reading of that view's MIXED input; pasted pixels are the
    partner's own strong view; the two strong views use different masks
    (and, with 'independent', different partners)."""
    seed_everything(0)
    loader, model = build_demo(
        colour_dataset, (128, 128), photometric=False,
        segmentor=oracle_segmentor, partners=partners)
    model.train()
    differ_mask = differ_partner = pasted = wrong_if_unmixed = 0
    for b, data_batch in zip(range(3), loader):
        data = model.data_preprocessor(data_batch, True)
        batch = model.split_batch(data['inputs'], data['data_samples'])
        targets = model.make_pseudo_targets(batch)
        unsup = model.build_unsup_batch(batch, targets)
        n = len(batch.unsup_idx)
        sup = batch.weak_inputs[batch.sup_idx]
        sup_ds = [batch.weak_samples[i] for i in batch.sup_idx.tolist()]
        fwd = model.student_forward(
            torch.cat([sup, unsup.inputs]), sup_ds + unsup.data_samples)
        idx = torch.arange(len(sup), len(sup) + 3 * n)
        model.loss_unsup(fwd, idx, unsup.data_samples, targets, 1.0)
        for view, strong, tgt, partner, mask in (
                (1, batch.strong_inputs, targets.s1, targets.partner1,
                 targets.mask1),
                (2, batch.strong2_inputs, targets.s2, targets.partner2,
                 targets.mask2)):
            mixed = unsup.inputs[view * n:(view + 1) * n]
            own = strong[batch.unsup_idx]
            # pasted pixels are the partner's strong view, the rest own
            torch.testing.assert_close(
                mixed, torch.where(mask[:, None], own, own[partner]))
            with torch.no_grad():
                seen = model.student.encode_decode(
                    mixed, batch_frame_metas(mixed, tgt_samples(
                        targets, view))).argmax(1)
            has = tgt.labels != 255
            assert has.float().mean() > 0.5  # tau 0: every valid pixel
            assert (seen[has] == tgt.labels[has]).float().mean() > 0.99
            # the unmixed (own) labels are wrong where the box pasted
            box = ~mask & has
            pasted += int(box.sum())
            wrong_if_unmixed += int((seen[box] != targets.fp.labels[box]).sum())
        differ_mask += int((targets.mask1 != targets.mask2).any())
        differ_partner += int((targets.partner1 != targets.partner2).any())
        if partners == 'shared':
            assert torch.equal(targets.partner1, targets.partner2)
    assert pasted > 0 and differ_mask >= 2
    # the unmixed (own) labels would be wrong on most pasted pixels
    assert wrong_if_unmixed > 0.3 * pasted, (wrong_if_unmixed, pasted)
    if partners == 'independent':
        assert differ_partner >= 1


def tgt_samples(targets, view):
    return targets.s1_samples if view == 1 else targets.s2_samples


def test_feature_perturbation_stream_trains_decoder_and_backbone(
        colour_dataset):
    """The real path with the demo's DeepLabv3+ R18 (random init) and only
    the feature-perturbation stream weighted: its loss reaches the decode
    head, the auxiliary head and the backbone."""
    seed_everything(0)
    loader, model = build_demo(
        colour_dataset, (64, 64),
        stream_weights=dict(sup=0.0, s1=0.0, s2=0.0, fp=1.0))
    model.train()
    data = model.data_preprocessor(next(iter(loader)), True)
    losses = model(**data, mode='loss')
    fp = {k for k, v in losses.items() if 'loss' in k and float(v) > 0}
    assert fp == {'unsup_fp.decode.loss_ce', 'unsup_fp.aux.loss_ce'}, fp
    loss, _ = model.parse_losses(losses)
    loss.backward()
    for part in ('backbone', 'decode_head', 'auxiliary_head'):
        grads = [
            p.grad.abs().sum() for name, p in model.student.named_parameters()
            if name.startswith(part) and p.grad is not None
        ]
        assert grads and sum(grads) > 0, part


def test_settings_are_checked_at_build():
    with pytest.raises(ValueError, match="teacher='student'"):
        MODELS.build(unimatch_cfg(teacher='ema'))
    with pytest.raises(ValueError, match='stream_weights'):
        MODELS.build(unimatch_cfg(stream_weights=dict(x=1.0)))
    with pytest.raises(ValueError, match='partners'):
        MODELS.build(unimatch_cfg(partners='same'))
    with pytest.raises(ValueError, match='fp_batching'):
        MODELS.build(unimatch_cfg(fp_batching='stacked'))
    with pytest.raises(ValueError, match='partner'):
        MODELS.build(unimatch_cfg(mask_generator=dict(
            type='CutoutMaskGenerator')))
    with pytest.raises(ValueError, match='FeatureDropout.p'):
        FeatureDropout(1.0)


def test_separate_fp_batching_trains():
    torch.manual_seed(0)
    model = MODELS.build(unimatch_cfg(aux=True, fp_batching='separate'))
    model.train()
    inputs, samples, _ = three_view_batch([True, False, False])
    losses = model.loss(inputs, samples)
    assert {'unsup_fp.decode.loss_ce', 'unsup_fp.aux.loss_ce'} <= set(losses)
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    assert all(p.grad is not None for p in model.student.parameters())

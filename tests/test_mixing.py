"""Mixing strategies (ClassMix, CutMix, Cutout): masks, partners, mixed
targets, weights and losses, each against an independent computation."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub

import mmssl  # noqa: F401
from mmseg.registry import MODELS, TASK_UTILS
from mmssl.models.losses import softmax_squared_error
from mmssl.models.mixing import (boxes_to_mask, choose_partners, mix_targets,
                                 sample_boxes)
from mmssl.models.utils.semi_batch import PseudoTargets
from semi_helpers import NUM_CLASSES, make_batch, semi_segmentor_cfg


def build_mix_model(**semi_train_cfg):
    semi_train_cfg.setdefault('mask_generator',
                              dict(type='ClassMixMaskGenerator'))
    cfg = semi_segmentor_cfg(**semi_train_cfg)
    cfg['type'] = 'MixSemiSegmentor'
    return MODELS.build(cfg)


def named_batch(flags, names, h=32, w=32, seed=0):
    inputs, samples = make_batch(flags, h=h, w=w, seed=seed)
    for branch in samples.values():
        for ds, name in zip(branch, names):
            ds.set_metainfo(dict(img_path=name))
    return inputs, samples


@pytest.fixture(autouse=True)
def _seed_and_hub():
    torch.manual_seed(0)
    MessageHub.get_instance('test_mixing')


# ------------------------------------------------------------------ masks
def test_classmix_mask_is_exactly_the_chosen_half_of_the_classes():
    gen = TASK_UTILS.build(dict(type='ClassMixMaskGenerator'))
    g = torch.Generator().manual_seed(1)
    for trial in range(20):
        n_present = 1 + trial % 8
        labels = torch.randint(0, n_present, (3, 24, 40), generator=g) * 2
        labels[:, :4] = 255  # ignored pixels (padding / out of view)
        mask = gen(labels, [(24, 40)] * 3, num_classes=19)
        for k in range(3):
            present = set(labels[k][labels[k] != 255].unique().tolist())
            chosen = set(labels[k][mask[k]].unique().tolist())
            assert 255 not in chosen
            assert chosen <= present
            # half of the classes, rounded down as the authors' code
            # (ClassMix trainSSL.py:409, int((n - n % 2) / 2))
            assert len(chosen) == math.floor(len(present) / 2)
            # the mask is exactly the pixels of the chosen classes
            expected = torch.isin(
                labels[k], torch.tensor(sorted(chosen), dtype=torch.long))
            assert torch.equal(mask[k], expected)


def test_classmix_choice_is_random_over_classes():
    gen = TASK_UTILS.build(dict(type='ClassMixMaskGenerator'))
    labels = torch.arange(4).repeat_interleave(4).view(1, 4, 4)
    seen = set()
    for _ in range(60):
        m = gen(labels, [(4, 4)], num_classes=4)
        seen.add(tuple(labels[m].unique().tolist()))
    assert len(seen) == 6  # all C(4, 2) pairs occur


@pytest.mark.parametrize('hw', [(32, 32), (20, 48), (7, 31)])
def test_cutmix_box_covers_half_the_image_inside_it(hw):
    gen = TASK_UTILS.build(dict(type='CutMixMaskGenerator'))
    canvas = (40, 64)  # padded batch larger than the image
    labels = torch.zeros((50, ) + canvas, dtype=torch.long)
    h, w = hw
    boxes = gen.sample([hw] * 50)
    mask = ~boxes_to_mask(boxes, canvas, labels.device)
    ratios = []
    for k in range(50):
        box = ~mask[k]
        ys, xs = box.nonzero(as_tuple=True)
        y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        assert box[y0:y1, x0:x1].all()  # one rectangle
        assert y1 <= h and x1 <= w  # inside the image, not the padding
        area = int(box.sum())
        assert abs(area - 0.5 * h * w) <= max(h, w), (k, area, hw)
        ratios.append(float((x1 - x0) / (y1 - y0)))
    assert max(ratios) / min(ratios) > 2  # the aspect ratio varies
    # the generator's own call gives the same kind of mask
    assert gen(labels[:2], [hw] * 2, 19).shape == (2, ) + canvas


def test_three_box_cutmix_is_xor_of_three_sixth_area_boxes_in_image():
    gen = TASK_UTILS.build(
        dict(type='CutMixMaskGenerator', num_boxes=3, area_ratio=1 / 6))
    h, w = 48, 96
    boxes = gen.sample([(h, w)] * 30)
    assert boxes.shape == (30, 3, 4)
    mask = boxes_to_mask(boxes, (h, w), torch.device('cpu'))
    for k in range(30):
        expected = np.zeros((h, w), dtype=bool)
        for y0, x0, y1, x1 in boxes[k].tolist():
            assert 0 <= y0 < y1 <= h and 0 <= x0 < x1 <= w
            assert abs((y1 - y0) * (x1 - x0) - h * w / 6) <= max(h, w)
            expected[y0:y1, x0:x1] ^= True
        assert np.array_equal(mask[k].numpy(), expected)


def test_sample_boxes_area_is_exact_within_half_a_column():
    hw = [(37, 91)] * 200
    boxes = sample_boxes(hw, torch.full((200, 1), 0.3), 1)
    areas = (boxes[:, 0, 2] - boxes[:, 0, 0]) * (boxes[:, 0, 3] -
                                                  boxes[:, 0, 1])
    heights = boxes[:, 0, 2] - boxes[:, 0, 0]
    assert ((areas - 0.3 * 37 * 91).abs() <= heights / 2 + 1e-6).all()


# --------------------------------------------------------------- partners
@pytest.mark.parametrize('keys', [
    ['a', 'b'],
    ['a', 'a', 'b'],
    ['a', 'b', 'a', 'b'],
    ['a', 'b', 'c', 'd', 'e'],
    ['x', 'x', 'x', 'y'],
])
def test_partner_is_always_another_image(keys):
    for _ in range(50):
        partner, paired = choose_partners(keys)
        for k, p in enumerate(partner.tolist()):
            assert paired[k]
            assert keys[p] != keys[k]


def test_batch_of_one_image_is_not_mixed_and_says_so():
    partner, paired = choose_partners(['a', 'a'])
    assert not paired.any()
    assert partner.tolist() == [0, 1]
    partner, paired = choose_partners(['a'])
    assert not paired.any()


def test_partners_cover_every_other_image():
    seen = set()
    for _ in range(100):
        partner, _ = choose_partners(['a', 'b', 'c', 'd'])
        seen.add(int(partner[0]))
    assert seen == {1, 2, 3}


# ----------------------------------------------------------- mixed targets
def _random_targets(n=3, c=5, h=8, w=10, seed=0):
    g = torch.Generator().manual_seed(seed)
    probs = torch.rand((n, c, h, w), generator=g).softmax(1)
    conf, labels = probs.max(1)
    valid = torch.rand((n, h, w), generator=g) > 0.2
    labels = torch.where(valid, labels, torch.full_like(labels, 255))
    return PseudoTargets(
        labels=labels,
        confidence=conf * valid,
        valid=valid,
        weak_labels=labels.clone(),
        probs=probs * valid.unsqueeze(1))


def test_mixed_targets_are_the_mixing_of_the_targets():
    t = _random_targets()
    g = torch.Generator().manual_seed(3)
    mask = torch.rand(t.valid.shape, generator=g) > 0.5
    partner = torch.tensor([2, 0, 1])
    m = mix_targets(t, partner, mask, ignore_index=255)
    L, C, V, P = (x.numpy() for x in (t.labels, t.confidence, t.valid,
                                       t.probs))
    M = mask.numpy()
    for k, p in enumerate(partner.tolist()):
        src = np.where(M[k], k, p)  # which sample each pixel comes from
        for y in range(M.shape[1]):
            for x in range(M.shape[2]):
                s = src[y, x]
                assert m.valid[k, y, x] == V[s, y, x]
                assert m.labels[k, y, x] == (L[s, y, x] if V[s, y, x] else 255)
                assert m.confidence[k, y, x] == C[s, y, x]
                assert np.allclose(m.probs[k, :, y, x], P[s, :, y, x])


def test_cutout_erase_removes_targets_in_the_box():
    """The box's pixels lose their target (label, probabilities) but stay
    in the valid image area with their teacher confidence (French et al.'s
    code averages over the whole image and takes the confidence proportion
    over the whole teacher map)."""
    t = _random_targets()
    erase = torch.zeros_like(t.valid)
    erase[:, 2:5, 3:7] = True
    m = mix_targets(t, torch.arange(3), ~erase, 255, erase=erase)
    assert (m.labels[erase] == 255).all()
    assert torch.equal(m.valid, t.valid)
    assert torch.equal(m.confidence, t.confidence)
    assert torch.equal(m.labels[~erase], t.labels[~erase])
    assert (m.probs.permute(0, 2, 3, 1)[erase] == 0).all()


# ------------------------------------------------------- the model's step
@pytest.mark.parametrize('generator', [
    dict(type='CutMixMaskGenerator'),
    dict(type='CutMixMaskGenerator', num_boxes=3, area_ratio=1 / 6),
], ids=['cutmix', 'cutmix-3box'])
def test_mixed_images_and_labels_come_from_the_same_pixels(generator):
    """The student's mixed input and its mixed pseudo-labels take each
    pixel from the same sample (checked against an independent mix of the
    strong views and of the unmixed targets). (ClassMix's masks are
    checked through the real pipeline, with a teacher that sees classes:
    test_mixing_alignment.py.)"""
    model = build_mix_model(mask_generator=generator, unsup_on='unlabeled')
    model.train()
    inputs, samples = named_batch([True, False, False, False],
                                  ['l', 'a', 'b', 'c'])
    data = dict(inputs=inputs, data_samples=samples)
    batch = model.split_batch(data['inputs'], data['data_samples'])
    targets = model.make_pseudo_targets(batch)
    unsup = model.build_unsup_batch(batch, targets)
    strong = batch.strong_inputs[batch.unsup_idx]
    for k in range(3):
        own = (unsup.inputs[k] == strong[k]).all(0)
        assert not own.all()  # something was pasted from a partner
        partners = [j for j in range(3) if j != k and
                    (unsup.inputs[k][:, ~own] == strong[j][:, ~own]).all()]
        assert len(partners) == 1
        p = partners[0]
        expect = torch.where(own, targets.labels[k], targets.labels[p])
        assert torch.equal(unsup.targets.labels[k], expect)
        assert torch.equal(unsup.data_samples[k].gt_sem_seg.data[0], expect)


def test_cutout_student_sees_zeros_and_loss_ignores_the_box():
    model = build_mix_model(
        mask_generator=dict(type='CutoutMaskGenerator'),
        unsup_weighting='ramp', unsup_on='unlabeled')
    model.train()
    inputs, samples = named_batch([True, False, False], ['l', 'a', 'b'])
    batch = model.split_batch(inputs, samples)
    targets = model.make_pseudo_targets(batch)
    unsup = model.build_unsup_batch(batch, targets)
    strong = batch.strong_inputs[batch.unsup_idx]
    box = (unsup.inputs == 0).all(1)
    assert box.any(1).any(1).all()  # every sample has a box
    assert torch.equal(unsup.inputs[:, :, ~box[0]][0], strong[0][:, ~box[0]])
    assert (unsup.targets.labels[box] == 255).all()
    # no target in the box, but it stays in the valid image area
    assert torch.equal(unsup.targets.valid, targets.valid)
    assert torch.equal(unsup.targets.confidence, targets.confidence)
    outside = ~box & targets.valid
    assert torch.equal(unsup.targets.labels[outside], targets.labels[outside])


def _unsup_ce_oracle(model, fwd, n_sup, labels, weight):
    head = model.student.decode_head
    logits = F.interpolate(
        fwd.head_outputs[head][n_sup:], size=labels.shape[1:],
        mode='bilinear', align_corners=False)
    return F.cross_entropy(logits, labels, ignore_index=255) * weight


def _step(model, flags, names):
    """The model's loss, and the same step re-run piece by piece (same
    random state) for an independent computation."""
    inputs, samples = named_batch(flags, names)
    model.train()
    torch.manual_seed(5)
    losses = model.loss(inputs, samples)
    torch.manual_seed(5)
    batch = model.split_batch(inputs, samples)
    targets = model.make_pseudo_targets(batch)
    unsup = model.build_unsup_batch(batch, targets)
    sup_x = batch.weak_inputs[batch.sup_idx]
    sup_ds = [batch.weak_samples[i] for i in batch.sup_idx.tolist()]
    with torch.no_grad():
        fwd = model.student_forward(
            torch.cat([sup_x, unsup.inputs]), sup_ds + unsup.data_samples)
    return losses, unsup, fwd, len(sup_ds)


def _median_confidence(model, flags, names):
    """A threshold that splits this batch's teacher confidences in half
    (the tiny random teacher is never confident in absolute terms)."""
    batch = model.split_batch(*named_batch(flags, names))
    t = model.make_pseudo_targets(batch)
    return float(t.confidence[t.valid].median())


def test_confidence_proportion_weight_and_cross_entropy():
    model = build_mix_model(
        unsup_weighting='confidence_proportion', unsup_on='unlabeled',
        unsup_weight=0.7, mask_generator=dict(type='CutMixMaskGenerator'))
    flags, names = [True, False, False, False], ['l', 'a', 'b', 'c']
    tau = model.confidence_threshold = _median_confidence(model, flags, names)
    model.student.eval()  # no dropout / BN batch stats: a repeatable forward
    model.train = lambda mode=True: model  # keep eval for the comparison
    losses, unsup, fwd, n_sup = _step(model, flags, names)
    t = unsup.targets
    conf = t.confidence.numpy()[t.valid.numpy()]
    frac = float((conf >= tau).mean())  # >= as both authors' codes
    assert 0.0 < frac < 1.0
    assert float(losses['unsup_weight']) == pytest.approx(0.7 * frac)
    expected = _unsup_ce_oracle(model, fwd, n_sup, t.labels, 0.7 * frac)
    assert float(losses['unsup.decode.loss_ce']) == pytest.approx(
        float(expected), rel=1e-4)


def test_pixel_threshold_ignores_unconfident_pixels():
    model = build_mix_model(
        unsup_weighting='pixel_threshold', unsup_on='unlabeled')
    flags, names = [True, False, False], ['l', 'a', 'b']
    tau = model.confidence_threshold = _median_confidence(model, flags, names)
    model.train()
    batch = model.split_batch(*named_batch(flags, names))
    targets = model.make_pseudo_targets(batch)
    unsup = model.build_unsup_batch(batch, targets)
    t = unsup.targets
    assert (t.labels[t.confidence < tau] == 255).all()
    kept = t.labels != 255
    assert (t.confidence[kept] >= tau).all() and kept.any()
    # unconfident pixels lose their target but stay in the valid area
    assert (t.valid & ~kept).any()
    assert model.unsup_loss_weight(t) == model.unsup_weight


def test_squared_error_loss_matches_independent_computation():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(2, 4, 5, 6, generator=g)
    probs = torch.rand(2, 4, 5, 6, generator=g).softmax(1)
    weight = torch.rand(2, 5, 6, generator=g) > 0.3
    s = logits.softmax(1).numpy()
    p = probs.numpy()
    w = weight.numpy()
    expected = ((s - p)**2).sum(1)[w].mean()
    assert float(softmax_squared_error(logits, probs, weight)) == \
        pytest.approx(float(expected), rel=1e-6)
    # averaged over a larger area (pixels without a target count 0)
    area = weight | (torch.rand(2, 5, 6, generator=g) > 0.5)
    expected = (((s - p)**2).sum(1) * w).sum() / area.numpy().sum()
    assert float(softmax_squared_error(logits, probs, weight,
                                       avg_mask=area)) == \
        pytest.approx(float(expected), rel=1e-6)


def test_model_squared_error_consistency_on_every_head():
    model = build_mix_model(
        mask_generator=dict(type='CutMixMaskGenerator'),
        consistency_loss='squared_error', unsup_weighting='ramp',
        unsup_on='unlabeled')
    model.student.eval()
    model.train = lambda mode=True: model
    losses, unsup, fwd, n_sup = _step(model, [True, False, False, False],
                                      ['l', 'a', 'b', 'c'])
    t = unsup.targets
    assert t.probs is not None
    # argmax of the mixed probabilities is the mixed label where valid
    assert torch.equal(t.probs.argmax(1)[t.valid], t.labels[t.valid])
    for key, head, w in (('unsup.decode.loss_mse', model.student.decode_head,
                          1.0), ('unsup.aux.loss_mse',
                                 model.student.auxiliary_head, 0.4)):
        logits = F.interpolate(
            fwd.head_outputs[head][n_sup:], size=t.labels.shape[1:],
            mode='bilinear', align_corners=False)
        se = ((logits.softmax(1) - t.probs)**2).sum(1)
        has_target = t.labels != 255
        # the mean over the valid image area, pixels without a target
        # adding 0 (French et al.'s (loss * loss_mask).mean())
        expected = (se * has_target).sum() / t.valid.sum() * w
        assert float(losses[key]) == pytest.approx(float(expected), rel=1e-4)


@pytest.mark.parametrize('loss,weighting', [
    ('cross_entropy', 'confidence_proportion'),
    ('cross_entropy', 'pixel_threshold'),
    ('squared_error', 'confidence_proportion'),
    ('squared_error', 'pixel_threshold'),
])
def test_no_confident_pixel_gives_zero_loss_not_nan(loss, weighting):
    model = build_mix_model(
        consistency_loss=loss, unsup_weighting=weighting,
        confidence_threshold=0.999, unsup_on='unlabeled')
    model.train()
    inputs, samples = named_batch([True, False, False], ['l', 'a', 'b'])
    losses = model.loss(inputs, samples)
    unsup = {k: v for k, v in losses.items() if k.startswith('unsup.') and
             'loss' in k}
    assert unsup
    for k, v in unsup.items():
        assert torch.isfinite(v) and float(v) == 0.0, (k, v)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all()
               for p in model.student.parameters())


def test_every_parameter_trains_in_batches_without_labels_or_partners():
    for flags, names in (([False, False], ['a', 'b']),
                         ([True, False], ['l', 'a']),
                         ([True, True], ['l', 'm'])):
        model = build_mix_model(unsup_on='unlabeled')
        model.train()
        losses = model.loss(*named_batch(flags, names))
        sum(v for k, v in losses.items() if 'loss' in k).backward()
        assert all(p.grad is not None for p in model.student.parameters())
    # one unlabeled sample: no partner, so no mixing, and it is logged
    assert float(losses.get('mix_paired_frac', 0.0)) in (0.0, 1.0)
    model = build_mix_model(unsup_on='unlabeled')
    losses = model.loss(*named_batch([True, False], ['l', 'a']))
    assert float(losses['mix_paired_frac']) == 0.0


def test_extra_augs_change_only_the_mixed_images_colours():
    model = build_mix_model(
        unsup_on='unlabeled',
        extra_augs=[
            dict(type='ColorJiggle', brightness=0.4, contrast=0.4,
                 saturation=0.4, hue=0.1, p=1.0),
            dict(type='RandomGaussianBlur', kernel_size=(5, 5),
                 sigma=(0.15, 1.15), p=1.0)
        ])
    inputs, samples = named_batch([False, False], ['a', 'b'])
    # images in the preprocessor's value range
    inputs = {k: v.clamp(-2, 2) for k, v in inputs.items()}
    batch = model.split_batch(inputs, samples)
    targets = model.make_pseudo_targets(batch)
    plain = build_mix_model(unsup_on='unlabeled')
    torch.manual_seed(1)
    with_augs = model.build_unsup_batch(batch, targets)
    torch.manual_seed(1)
    without = plain.build_unsup_batch(batch, targets)
    assert torch.equal(with_augs.targets.labels, without.targets.labels)
    assert not torch.allclose(with_augs.inputs, without.inputs)
    assert with_augs.inputs.shape == without.inputs.shape


def test_geometric_kornia_ops_are_refused():
    with pytest.raises(ValueError, match='RandomRotation'):
        build_mix_model(extra_augs=[dict(type='RandomRotation', degrees=5)])


@pytest.mark.parametrize('bad,match', [
    (dict(consistency_loss='l1'), 'consistency_loss'),
    (dict(unsup_weighting='cosine'), 'unsup_weighting'),
    (dict(confidence_threshold=1.5), 'confidence_threshold'),
    (dict(mask_generator=dict(type='CutMixMaskGenerator', area_ratio=0)),
     'area_ratio'),
])
def test_bad_settings_fail_early_naming_the_setting(bad, match):
    with pytest.raises(ValueError, match=match):
        build_mix_model(**bad)


def test_missing_mask_generator_is_an_error():
    cfg = semi_segmentor_cfg()
    cfg['type'] = 'MixSemiSegmentor'
    with pytest.raises(KeyError, match='mask_generator'):
        MODELS.build(cfg)


def test_published_panels_show_the_mixed_images():
    model = build_mix_model(unsup_on='unlabeled')
    model.train()
    model.loss(*named_batch([True, False, False], ['l', 'a', 'b']))
    info = MessageHub.get_current_instance().get_info('mmssl.train_step')
    imgs = info['student_images']
    assert imgs.dtype == torch.uint8 and imgs.shape[0] == 2
    assert info['pseudo_labels'].shape == (2, 32, 32)
    assert info['num_classes'] == NUM_CLASSES


@pytest.mark.parametrize('loss', ['cross_entropy', 'squared_error'])
def test_pseudo_label_filter_also_restricts_the_mixing_losses(loss):
    """A pseudo-label filter (the core's seam, e.g. online DARS) that keeps
    no pixel leaves no target: both consistencies are 0."""
    from mmseg.registry import MODELS as REG

    @REG.register_module(force=True)
    class _KeepNothing(torch.nn.Module):

        def forward(self, labels, confidence, valid):
            return torch.zeros_like(valid)

    model = build_mix_model(
        consistency_loss=loss, unsup_weighting='ramp', unsup_on='unlabeled',
        mask_generator=dict(type='CutMixMaskGenerator'),
        pseudo_label_filter=dict(type='_KeepNothing'))
    model.train()
    losses = model.loss(*named_batch([True, False, False], ['l', 'a', 'b']))
    unsup = [v for k, v in losses.items()
             if k.startswith('unsup.') and 'loss' in k]
    assert unsup and all(float(v) == 0.0 for v in unsup)


@pytest.mark.parametrize('bgr_to_rgb', [True, False])
def test_uint8_rgb_panels_undo_the_preprocessor(bgr_to_rgb):
    """The mixing models' panel images (and kornia's colour space) come
    from the preprocessor's own mean / std / channel order: a BGR load
    normalised by SegDataPreProcessor comes back as its RGB image (the
    order was read from a wrong attribute before: panels were BGR)."""
    from mmseg.models import SegDataPreProcessor
    from mmseg.structures import SegDataSample

    from mmssl.models.utils.input_normalisation import (input_normalisation,
                                                        to_uint8_rgb)
    pre = SegDataPreProcessor(
        mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
        bgr_to_rgb=bgr_to_rgb)
    g = torch.Generator().manual_seed(0)
    bgr = torch.randint(0, 256, (3, 8, 10), generator=g, dtype=torch.uint8)
    data = pre(dict(inputs=[bgr], data_samples=[SegDataSample()]), False)
    norm = input_normalisation(pre)
    assert norm.rgb is bgr_to_rgb
    out = to_uint8_rgb(data['inputs'], norm)[0]
    rgb = bgr.flip(0)
    # the preprocessor's float arithmetic may round by one grey level
    assert (out.int() - rgb.int()).abs().max() <= 1

"""Issue 16, points 4 and 6: the mixing methods do what French et al.'s and
ClassMix's papers say and, where they are silent, what the authors' code
does. Each test computes the paper's formula or the authors' setting
independently (numpy / plain torch from the quoted lines) and compares.

Authors' code quoted (not vendored):

* French et al., github.com/Britefury/cutmix-semisup-seg at c073d7b (the
  BMVC 2020 version): ``run_cityscapes_experiments.sh``:21-22 and
  ``run_pascal_aug_experiments.sh``:21-22 (``REG_MASK_CUTOUT``:
  ``--mask_prop_range=0.0:1.0``; ``REG_MASK_CUTMIX``:
  ``--mask_prop_range=0.5``); ``mask_gen.py``:75, 80-82 (box area and
  aspect ratio); ``train_seg_semisup_mask_mt.py``:324, 350 (loss masks),
  :358-365 (``conf_tea >= conf_thresh``, ``conf_mask.mean()``), :400
  (``(consistency_loss * loss_mask).mean()``).
* ClassMix, github.com/WilhelmT/ClassMix ``trainSSL.py``:409
  (``int((nclasses - nclasses % 2) / 2)`` classes), :461
  (``max_probs.ge(0.968)``), :528 / :551 (``evaluate(model, ...)``: the
  student).
"""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine import Config
from mmengine.logging import MessageHub

import mmssl  # noqa: F401
from mmseg.registry import MODELS, TASK_UTILS
from mmssl.models.mixing import boxes_to_mask, mix
from semi_helpers import flip_h, make_sample, semi_segmentor_cfg

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CUTOUT_CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'cutout',
                                           '*.py')))
CUTMIX_CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'cutmix',
                                           '*.py')))
CLASSMIX_CONFIGS = sorted(
    glob.glob(osp.join(REPO, 'configs', 'classmix', '*.py')))


@pytest.fixture(autouse=True)
def _seed_and_hub():
    torch.manual_seed(0)
    MessageHub.get_instance('test_fidelity_mixing')


def _authors_prop_range(arg: str):
    """``--mask_prop_range`` parsed as train_seg_semisup_mask_mt.py:19-24."""
    if ':' in arg:
        a, b = arg.split(':')
        return float(a.strip()), float(b.strip())
    return float(arg), float(arg)


# ----------------------------------------------------------- the configs
@pytest.mark.parametrize('path', CUTOUT_CONFIGS, ids=osp.basename)
def test_cutout_configs_draw_the_box_area_as_the_authors_scripts(path):
    gen_cfg = Config.fromfile(path).model.semi_train_cfg.mask_generator
    assert gen_cfg.type == 'CutoutMaskGenerator'
    assert tuple(gen_cfg.area_ratio) == _authors_prop_range('0.0:1.0')
    assert not gen_cfg.get('keep_box', False)  # the paper's rectangle
    gen = TASK_UTILS.build(dict(gen_cfg))
    assert gen.area_range == (0.0, 1.0) and not gen.keep_box


@pytest.mark.parametrize('path', CUTMIX_CONFIGS, ids=osp.basename)
def test_cutmix_configs_use_half_the_image(path):
    gen = TASK_UTILS.build(
        dict(Config.fromfile(path).model.semi_train_cfg.mask_generator))
    if 'three-box' in path:  # appendix D.3: three boxes of 1/6
        assert gen.num_boxes == 3
        assert gen.area_range == pytest.approx((1 / 6, 1 / 6))
    else:
        assert gen.num_boxes == 1
        assert gen.area_range == _authors_prop_range('0.5')


def test_cutout_demo_uses_the_authors_area_range():
    path = osp.join(
        REPO, 'configs', 'demo', 'cutout-mt_deeplabv3plus_r18-d8_1xb8-'
        'explicit-cpu-sup300i-100i_synthcityscapes-8.py')
    gen = TASK_UTILS.build(
        dict(Config.fromfile(path).model.semi_train_cfg.mask_generator))
    assert gen.area_range == (0.0, 1.0)


@pytest.mark.parametrize('path', CLASSMIX_CONFIGS, ids=osp.basename)
def test_classmix_configs_evaluate_the_student_as_the_authors(path):
    cfg = Config.fromfile(path)
    assert cfg.model.semi_test_cfg.predict_on == 'student'
    assert cfg.default_hooks.checkpoint.save_best == 'student/mIoU'
    assert cfg.model.semi_train_cfg.confidence_threshold == 0.968


# ------------------------------------------------------- Cutout geometry
def _authors_boxes(n, shape, prop_range, rng):
    """Box height / width fractions and areas drawn as French et al.'s
    BoxMaskGenerator.generate_params (mask_gen.py:75, 80-82), one box."""
    props = rng.uniform(prop_range[0], prop_range[1], size=n)
    y = np.exp(rng.uniform(0.0, 1.0, size=n) * np.log(props))
    x = props / y
    sizes = np.round(np.stack([y, x], 1) * np.array(shape))
    return sizes[:, 0] / shape[0], sizes[:, 0] * sizes[:, 1] / np.prod(shape)


def _ks(a, b):
    """Two-sample Kolmogorov-Smirnov statistic."""
    grid = np.sort(np.concatenate([a, b]))
    cdf = lambda s: np.searchsorted(np.sort(s), grid, side='right') / len(s)
    return float(np.abs(cdf(a) - cdf(b)).max())


def test_cutout_box_size_and_aspect_follow_the_authors_generator():
    n, shape = 3000, (96, 192)
    gen = TASK_UTILS.build(
        dict(type='CutoutMaskGenerator', area_ratio=(0.0, 1.0)))
    boxes = gen.sample([shape] * n).numpy()[:, 0]
    h_frac = (boxes[:, 2] - boxes[:, 0]) / shape[0]
    area = ((boxes[:, 2] - boxes[:, 0]) *
            (boxes[:, 3] - boxes[:, 1])) / (shape[0] * shape[1])
    assert (boxes[:, :2] >= 0).all() and (boxes[:, 2] <= shape[0]).all()
    assert (boxes[:, 3] <= shape[1]).all()  # inside the image
    rng = np.random.RandomState(0)
    a_h, a_area = _authors_boxes(n, shape, (0.0, 1.0), rng)
    # same distributions as the authors' generator (KS at n=3000: the 1 %
    # critical value is 0.042)
    assert _ks(area, a_area) < 0.045
    assert _ks(h_frac, a_h) < 0.045
    # and the area is uniform in [0, 1]: deciles of U(0, 1)
    assert np.abs(np.quantile(area, np.linspace(0.1, 0.9, 9)) -
                  np.linspace(0.1, 0.9, 9)).max() < 0.03


def test_cutout_cuts_the_box_out_or_keeps_it_as_the_authors_code():
    shape = (20, 30)
    labels = torch.zeros((4, ) + shape, dtype=torch.long)
    paper = TASK_UTILS.build(dict(type='CutoutMaskGenerator'))
    theirs = TASK_UTILS.build(
        dict(type='CutoutMaskGenerator', keep_box=True))
    torch.manual_seed(3)
    boxes = paper.sample([shape] * 4)
    torch.manual_seed(3)
    m_paper = paper(labels, [shape] * 4, 5)
    torch.manual_seed(3)
    m_theirs = theirs(labels, [shape] * 4, 5)
    for k, (y0, x0, y1, x1) in enumerate(boxes[:, 0].tolist()):
        box = np.zeros(shape, dtype=bool)
        box[y0:y1, x0:x1] = True
        # the paper: M = 0 inside the rectangle; their default invert=True:
        # masks = zeros, box = 1 - 0 = 1 (mask_gen.py:110-116)
        assert np.array_equal(m_paper[k].numpy(), ~box)
        assert np.array_equal(m_theirs[k].numpy(), box)


def test_cutout_area_zero_cuts_nothing():
    """A drawn area of 0 (possible with the range [0, 1]) is an empty box,
    as the authors' generator sets the sizes of zero areas to 0
    (mask_gen.py:77-90)."""
    from mmssl.models.mixing import sample_boxes
    boxes = sample_boxes([(8, 8)] * 3, torch.zeros(3, 1), 1)
    assert not boxes_to_mask(boxes, (8, 8), torch.device('cpu')).any()
    TASK_UTILS.build(dict(type='CutoutMaskGenerator', area_ratio=(0.0, 0.5)))
    for bad in (0.0, (0.0, 0.0), (-0.1, 0.5), (0.2, 1.5)):
        with pytest.raises(ValueError, match='area_ratio'):
            TASK_UTILS.build(dict(type='CutoutMaskGenerator',
                                  area_ratio=bad))
    with pytest.raises(ValueError, match='area_ratio'):
        TASK_UTILS.build(
            dict(type='CutMixMaskGenerator', area_ratio=(0.0, 0.5)))


# ------------------------------------------------ losses and the weight
def _batch(flags, h=24, w=32, ignore_cols=6, seed=0):
    """Two-view batch (strong = flip of weak) whose unlabeled strong views
    have an ignore region (255) in their right ``ignore_cols`` columns: the
    pixels outside the view / padding, which must not count anywhere."""
    g = torch.Generator().manual_seed(seed)
    n = len(flags)
    weak = torch.randn(n, 3, h, w, generator=g)
    strong = torch.flip(weak, dims=[3])
    weak_ds, strong_ds = [], []
    for i, f in enumerate(flags):
        weak_ds.append(make_sample(h, w, f, np.eye(3, dtype=np.float32), i))
        gt = None
        if not f:
            gt = np.full((1, h, w), 254)
            gt[..., w - ignore_cols:] = 255
        strong_ds.append(make_sample(h, w, f, flip_h(w), i, gt=gt))
    for k, branch in enumerate((weak_ds, strong_ds)):
        for i, ds in enumerate(branch):
            ds.set_metainfo(dict(img_path=f'img{i}'))
    return dict(weak=weak, strong=strong), dict(weak=weak_ds,
                                                strong=strong_ds)


def _build(generator, **cfg):
    cfg = semi_segmentor_cfg(
        mask_generator=generator, unsup_on='unlabeled', **cfg)
    cfg['type'] = 'MixSemiSegmentor'
    model = MODELS.build(cfg)
    model.student.eval()  # repeatable forward (no dropout, BN statistics)
    model.train = lambda mode=True: model
    return model


def _run(model, inputs, samples, seed=5):
    """The model's losses, and the pieces of the same step (same random
    state) for the independent computation: the UNMIXED teacher targets,
    the strong views and the student's inputs and logits."""
    torch.manual_seed(seed)
    losses = model.loss(inputs, samples)
    torch.manual_seed(seed)
    batch = model.split_batch(inputs, samples)
    targets = model.make_pseudo_targets(batch)
    unsup = model.build_unsup_batch(batch, targets)
    sup_x = batch.weak_inputs[batch.sup_idx]
    sup_ds = [batch.weak_samples[i] for i in batch.sup_idx.tolist()]
    with torch.no_grad():
        fwd = model.student_forward(
            torch.cat([sup_x, unsup.inputs]), sup_ds + unsup.data_samples)
    head = model.student.decode_head
    logits = F.interpolate(
        fwd.head_outputs[head][len(sup_ds):],
        size=targets.valid.shape[1:],
        mode='bilinear',
        align_corners=False)
    strong = batch.strong_inputs[batch.unsup_idx]
    return losses, targets, strong, unsup.inputs, logits


def _median_tau(model, inputs, samples):
    batch = model.split_batch(inputs, samples)
    t = model.make_pseudo_targets(batch)
    return float(t.confidence[t.valid].median())


def test_cutout_loss_and_weight_are_the_authors_formula():
    """Cutout: L = mean over all pixels of the image of
    M * sum_c (softmax(f(M x)) - g(x))^2, times the fraction of the uncut
    teacher map with confidence >= tau (train_seg_semisup_mask_mt.py:342,
    350, 358-365, 400); "all pixels" = the valid image area (the ignore
    columns count nowhere)."""
    model = _build(dict(type='CutoutMaskGenerator'),
                   consistency_loss='squared_error',
                   unsup_weighting='confidence_proportion', unsup_weight=0.8)
    inputs, samples = _batch([True, False, False, False])
    tau = model.confidence_threshold = _median_tau(model, inputs, samples)
    losses, t, strong, student_in, logits = _run(model, inputs, samples)
    box = (student_in == 0).all(1) & ~(strong == 0).all(1)  # M = 0
    assert box.any()
    valid = t.valid.numpy()  # the image area the teacher saw
    assert not valid[:, :, -6:].any() and valid[:, :, :-6].all()
    conf = t.confidence.numpy()
    frac = (conf[valid] >= tau).mean()  # box included, >= as theirs
    assert 0 < frac < 1
    se = ((logits.softmax(1) - t.probs)**2).sum(1).numpy()
    m = (~box).numpy().astype(float)
    expected = (se * m)[valid].mean() * frac * 0.8  # mean over the image
    assert float(losses['unsup_weight']) == pytest.approx(0.8 * frac)
    assert float(losses['unsup.decode.loss_mse']) == pytest.approx(
        expected, rel=1e-4)
    # not the old convention (mean over the pixels with a target only)
    old = (se * m)[valid].sum() / (m * valid).sum() * frac * 0.8
    assert abs(old - expected) > 1e-3 * expected


def test_cutmix_loss_and_weight_are_the_authors_formula():
    """CutMix: L = mean over all pixels of the mixed image of
    sum_c (softmax(f(mix(x_a, x_b))) - mix(g(x_a), g(x_b)))^2, times the
    fraction of the mixed teacher map with confidence >= tau
    (train_seg_semisup_mask_mt.py:318, 324, 358-365, 400)."""
    model = _build(dict(type='CutMixMaskGenerator'),
                   consistency_loss='squared_error',
                   unsup_weighting='confidence_proportion')
    inputs, samples = _batch([True, False, False, False])
    tau = model.confidence_threshold = _median_tau(model, inputs, samples)
    losses, t, strong, student_in, logits = _run(model, inputs, samples)
    n = strong.shape[0]
    probs, valid, conf = [], [], []
    for k in range(n):
        own = (student_in[k] == strong[k]).all(0)
        (p, ) = [j for j in range(n) if j != k and
                 (student_in[k][:, ~own] == strong[j][:, ~own]).all()]
        probs.append(mix(t.probs[k:k + 1], t.probs[p:p + 1], own[None]))
        valid.append(mix(t.valid[k], t.valid[p], own))
        conf.append(mix(t.confidence[k], t.confidence[p], own))
    probs, valid, conf = torch.cat(probs), torch.stack(valid), torch.stack(
        conf)
    frac = float((conf[valid] >= tau).float().mean())
    se = ((logits.softmax(1) - probs)**2).sum(1)
    expected = float(se[valid].mean()) * frac
    assert float(losses['unsup_weight']) == pytest.approx(frac)
    assert float(losses['unsup.decode.loss_mse']) == pytest.approx(
        expected, rel=1e-4)


def test_confidence_proportion_counts_the_threshold_itself():
    """>= (both authors' codes), over the valid pixels only."""
    from mmssl.models.utils.semi_batch import PseudoTargets
    model = _build(dict(type='CutMixMaskGenerator'),
                   unsup_weighting='confidence_proportion',
                   confidence_threshold=0.75)
    conf = torch.tensor([[[0.75, 0.5], [0.9, 0.75]]])
    valid = torch.tensor([[[True, True], [True, False]]])
    t = PseudoTargets(
        labels=torch.zeros_like(conf).long(),
        confidence=conf,
        valid=valid,
        weak_labels=torch.zeros_like(conf).long())
    # valid: 0.75 (>=), 0.5, 0.9 -> 2 of 3
    assert float(model.unsup_loss_weight(t)) == pytest.approx(2 / 3)


# ------------------------------------------------------------- ClassMix
def test_classmix_chooses_half_the_classes_rounded_down():
    gen = TASK_UTILS.build(dict(type='ClassMixMaskGenerator'))
    for n_cls in range(1, 20):
        labels = torch.arange(n_cls).repeat_interleave(3).view(1, 1, -1)
        labels = labels.repeat(4, 2, 1)
        mask = gen(labels, [tuple(labels.shape[1:])] * 4, num_classes=19)
        authors = int((n_cls - n_cls % 2) / 2)  # trainSSL.py:409
        for k in range(4):
            chosen = labels[k][mask[k]].unique()
            assert len(chosen) == authors
    # one class: nothing is pasted, the mixed image is all the partner
    one = gen(torch.zeros((2, 4, 4), dtype=torch.long), [(4, 4)] * 2, 19)
    assert not one.any()
    own, partner = torch.ones(2, 3, 4, 4), torch.zeros(2, 3, 4, 4)
    assert (mix(own, partner, one) == 0).all()
    # the choice is uniform: with three classes each one is drawn
    labels = torch.arange(3).view(1, 1, 3).repeat(60, 2, 1)
    mask = gen(labels, [(2, 3)] * 60, num_classes=19)
    drawn = labels[:, 0][mask[:, 0]]
    assert sorted(drawn.unique().tolist()) == [0, 1, 2]
    assert len(drawn) == 60  # one class per image

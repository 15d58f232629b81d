"""DARS policies: histogram thresholds, exact counts, seeding, KL (unit)."""
import numpy as np
import pytest
import torch

from mmssl.pseudo_labeling import (PSEUDO_LABEL_POLICIES, SelectionPlan,
                                   apply_plan, build_policy, class_bin_counts,
                                   confidence_bins, distribution_targets,
                                   image_quota, kl_divergence, top_count_bins)
from mmssl.pseudo_labeling.offline import chunk_bounds

B = 1000


def _images(num_images=12, num_classes=5, hw=(24, 32), seed=0, skew=None):
    """Random predictions: (labels, confidence) per image; ``skew`` gives
    class probabilities (head classes also get higher confidences)."""
    rng = np.random.default_rng(seed)
    p = np.full(num_classes, 1 / num_classes) if skew is None else skew
    out = []
    for _ in range(num_images):
        labels = rng.choice(num_classes, size=hw, p=p)
        conf = rng.beta(2 + 8 * p[labels] * num_classes, 2).astype(np.float32)
        # confidence overlapping: a share of saturated pixels
        conf[rng.random(hw) < 0.2] = 1.0
        out.append((labels.astype(np.int64), conf))
    return out


def _hist(images, num_classes, num_chunks=1):
    bounds = chunk_bounds(len(images), num_chunks)
    hist = np.zeros((num_chunks, num_classes, B), np.int64)
    for g, (s, e) in enumerate(bounds):
        for labels, conf in images[s:e]:
            bins = confidence_bins(torch.from_numpy(conf), B)
            hist[g] += class_bin_counts(
                torch.from_numpy(labels), bins, num_classes, B).numpy()
    return hist


def _label_all(plan, images, hist, seed=0, order=None):
    """Apply ``plan`` chunk by chunk (chunks in ``order``) as the tool does;
    returns the pseudo-label maps in image order."""
    per_chunk = plan.sample_set_counts(hist)
    prefixes = np.cumsum(per_chunk, 0) - per_chunk
    bounds = chunk_bounds(len(images), hist.shape[0])
    out = [None] * len(images)
    for g in (order or range(len(bounds))):
        running = prefixes[g].copy()
        for i in range(*bounds[g]):
            labels, conf = images[i]
            bins = confidence_bins(torch.from_numpy(conf), B).numpy()
            out[i] = apply_plan(plan, labels, conf, bins, running, f'img{i}',
                                seed)
    return out


def _counts(maps, num_classes):
    return sum(np.bincount(m.ravel(), minlength=256)[:num_classes]
               for m in maps)


def test_thresholds_match_sort_within_one_bin():
    images = _images(num_images=6, seed=1)
    hist = _hist(images, 5)[0]
    labels = np.concatenate([lab.ravel() for lab, _ in images])
    conf = np.concatenate([c.ravel() for _, c in images])
    rng = np.random.default_rng(2)
    for _ in range(20):
        targets = rng.integers(1, np.bincount(labels, minlength=5) + 1)
        tbin = top_count_bins(hist, targets)
        for j in range(5):
            exact = np.sort(conf[labels == j])[::-1][targets[j] - 1]
            # the n_j-th largest confidence lies in the threshold bin
            assert tbin[j] / B <= exact < (tbin[j] + 1) / B + 1e-7
            assert exact == pytest.approx(tbin[j] / B, abs=1.0 / B + 1e-6)


def test_dars_and_exact_da_counts_hit_targets_within_one_pixel():
    skew = np.array([0.5, 0.25, 0.15, 0.07, 0.03])
    images = _images(num_images=13, seed=3, skew=skew)
    hist = _hist(images, 5, num_chunks=4)
    target = np.array([0.3, 0.3, 0.2, 0.15, 0.05])
    for cfg in (dict(type='DARS', alpha=0.3),
                dict(type='DA', alpha=0.3, exact_count=True)):
        policy = build_policy(cfg)
        plan = policy.plan(hist.sum(0), target)
        got = _counts(_label_all(plan, images, hist), 5)
        n = distribution_targets(hist.sum(0), target, 0.3).numpy()
        want = np.minimum(n, np.asarray(plan.info['passing_counts']))
        assert np.abs(got - want).max() <= 1, (cfg, got, want)
        assert (got == np.asarray(plan.info['kept_counts'])).all()
    # plain DA keeps the whole threshold bin: at least the target
    plan = build_policy(dict(type='DA', alpha=0.3)).plan(hist.sum(0), target)
    got = _counts(_label_all(plan, images, hist), 5)
    assert (got >= np.minimum(n, hist.sum((0, 2)))).all()
    assert (got == np.asarray(plan.info['passing_counts'])).all()


def test_image_quota_telescopes():
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 50, size=40)
    total = int(counts.sum())
    for quota in (0, 1, total // 3, total):
        running, got = 0, 0
        for c in counts:
            got += image_quota(running, int(c), quota, total)
            running += int(c)
        assert got == quota


def test_sampling_is_seeded_and_order_independent():
    images = _images(num_images=9, seed=4)
    hist = _hist(images, 5, num_chunks=3)
    plan = build_policy(dict(type='DARS', alpha=0.4)).plan(
        hist.sum(0), [0.2] * 5)
    a = _label_all(plan, images, hist, seed=0)
    # chunks in another order (as another number of ranks would take them)
    b = _label_all(plan, images, hist, seed=0, order=[2, 0, 1])
    c = _label_all(plan, images, hist, seed=1)
    assert all((x == y).all() for x, y in zip(a, b))
    assert any((x != y).any() for x, y in zip(a, c))
    assert (_counts(a, 5) == _counts(c, 5)).all()


def test_kl_dars_vs_st_on_skewed_predictions():
    """Labeled split: fairly balanced; the model over-predicts head classes
    with higher confidence (the paper's bias). DARS aligns, ST does not."""
    num_classes = 6
    labeled = np.array([0.30, 0.25, 0.20, 0.12, 0.08, 0.05])
    skew = np.array([0.55, 0.2, 0.12, 0.07, 0.04, 0.02])
    images = _images(num_images=10, num_classes=num_classes, hw=(40, 40),
                     seed=5, skew=skew)
    hist = _hist(images, num_classes, num_chunks=2)
    kl = {}
    for cfg in (dict(type='DARS', alpha=0.2), dict(type='ST', threshold=0.9),
                dict(type='CBST', alpha=0.2)):
        plan = build_policy(cfg).plan(hist.sum(0), labeled)
        counts = _counts(_label_all(plan, images, hist), num_classes)
        kl[cfg['type']] = kl_divergence(labeled, counts)
    assert kl['DARS'] <= 0.001, kl
    assert kl['ST'] > 0.05, kl
    assert kl['CBST'] > 0.05, kl


def test_st_keeps_by_value_and_temperature_setting():
    plan = build_policy(dict(type='ST', threshold=0.5,
                             temperature=2.0)).plan(np.ones((2, B)))
    labels = np.array([[0, 1], [1, 0]])
    conf = np.array([[0.4, 0.5], [0.9, 0.49999]], np.float32)
    bins = confidence_bins(torch.from_numpy(conf), B).numpy()
    out = apply_plan(plan, labels, conf, bins, np.zeros(2, np.int64), 'x', 0)
    assert out.tolist() == [[255, 1], [1, 255]]
    assert build_policy(dict(type='ST', temperature=2.0)).temperature == 2.0


def test_policy_errors_name_the_setting():
    assert {'ST', 'CBST', 'DA', 'DARS'} <= set(
        PSEUDO_LABEL_POLICIES.module_dict)
    with pytest.raises(KeyError, match='unknown pseudo-label policy'):
        build_policy(dict(type='XX'))
    with pytest.raises(ValueError, match='alpha'):
        build_policy(dict(type='DARS', alpha=1.5))
    with pytest.raises(ValueError, match='temperature'):
        build_policy(dict(type='DA', temperature=0))
    with pytest.raises(ValueError, match='labeled split'):
        build_policy(dict(type='DARS')).plan(np.ones((3, B)))
    with pytest.raises(ValueError, match='3 classes'):
        build_policy(dict(type='DARS')).plan(np.ones((3, B)), [0.5, 0.5])


def test_plan_round_trips_through_dict():
    plan = build_policy(dict(type='DARS', alpha=0.5)).plan(
        np.arange(2 * B).reshape(2, B), [0.5, 0.5])
    again = SelectionPlan.from_dict(plan.to_dict())
    assert again == plan

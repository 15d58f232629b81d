"""One implementation of the DA / DARS thresholds (issue 16, point 5): the
offline policies and the online filter give the same targets, threshold
bins and sampling ratios on the same histogram, and both equal a direct
computation of eq. 4 (rounded down as the authors' code) and of "the n_j-th
largest confidence" by walking the bins."""
import math

import numpy as np
import pytest
import torch

import mmssl  # noqa: F401
from mmseg.registry import MODELS
from mmssl.pseudo_labeling import build_policy

B = 50


def reference(hist, r, alpha):
    """Eq. 4 and the threshold bin, by hand (python ints and floats)."""
    total = int(hist.sum())
    r = [x / sum(r) for x in r]
    out = []
    for j, row in enumerate(hist):
        # authors' code: class_j_num = int(ratio * prior_j / valid * pixels)
        n = math.floor(alpha * total * r[j])
        if n <= 0:
            out.append((n, B, 0))
            continue
        acc, tbin = 0, 0
        for b in range(B - 1, -1, -1):  # from the most confident bin down
            acc += int(row[b])
            if acc >= n:
                tbin = b
                break
        passing = int(row[tbin:].sum())
        out.append((n, tbin, passing))
    return out


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_online_and_offline_thresholds_identical(seed):
    rng = np.random.default_rng(seed)
    num_classes = 6
    hist = rng.integers(0, 40, size=(num_classes, B)).astype(np.int64)
    hist[:, -1] += rng.integers(0, 400, size=num_classes)  # overlapping 1.0
    hist[4] = 0  # a class the teacher never predicts
    hist[5, :] = 0
    hist[5, 10] = 3  # a class with fewer pixels than its target
    r = rng.random(num_classes) + 0.05
    r[3] = 0.0  # a class absent from the labeled split: target 0
    alpha = 0.37
    want = reference(hist, r.tolist(), alpha)

    for mode, policy in (('DA', dict(type='DA', alpha=alpha)),
                         ('DARS', dict(type='DARS', alpha=alpha))):
        plan = build_policy(policy).plan(hist, r)
        online = MODELS.build(
            dict(type='OnlineDistributionAlignment', num_classes=num_classes,
                 target=r.tolist(), mode=mode, alpha=alpha, num_bins=B))
        online.hist.copy_(torch.from_numpy(hist).double())
        tbin, prob = online.thresholds()
        assert tbin.tolist() == plan.info['threshold_bins']
        assert plan.info['target_counts'] == [n for n, _, _ in want]
        assert plan.info['threshold_bins'] == [b for _, b, _ in want]
        assert plan.info['passing_counts'] == [p for _, _, p in want]
        if mode == 'DARS':
            # s_j = n_j / n~_j (algorithm 1, line 5), at most 1
            s = [min(n / p, 1.0) if p else 0.0 for n, _, p in want]
            assert prob.tolist() == pytest.approx(s, rel=1e-12)
            assert plan.info['sampling_ratios'] == pytest.approx(s,
                                                                 rel=1e-12)

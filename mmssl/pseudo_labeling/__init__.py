"""Offline pseudo-labeling (DARS and the policies it is compared with).

* :mod:`.histogram`: streaming per-class confidence histograms;
* :mod:`.policies`: ST, CBST, DA, DARS behind one registry
  (:data:`PSEUDO_LABEL_POLICIES`, :func:`build_policy`);
* :mod:`.selection`: the per-class plan and its exact, seeded application;
* :mod:`.class_distribution`: labeled-split distributions, targets, KL;
* :mod:`.offline`: the resumable two-pass tool behind
  ``tools/pseudo_label.py``;
* :mod:`.rounds`: what a self-training round trains with (eq. 2 loss per
  part, the previous round's optimizer state), ``tools/dars_rounds.py``.
"""
from .class_distribution import (kl_divergence, labeled_class_counts,
                                 load_target_distribution, normalise)
from .histogram import (alignment_thresholds, class_bin_counts,
                        confidence_bins, distribution_targets, tail_counts,
                        top_count_bins)
from .policies import (CBST, DA, DARS, PSEUDO_LABEL_POLICIES, ST,
                       PseudoLabelPolicy, build_policy)
from .rounds import (LoadOptimizerStateHook, MarkPseudoLabeled,
                     SelfTrainingEncoderDecoder)
from .selection import SelectionPlan, apply_plan, image_quota

__all__ = [
    'kl_divergence', 'labeled_class_counts', 'load_target_distribution',
    'normalise', 'alignment_thresholds', 'class_bin_counts',
    'confidence_bins', 'tail_counts', 'top_count_bins', 'CBST', 'DA', 'DARS',
    'PSEUDO_LABEL_POLICIES', 'ST', 'PseudoLabelPolicy', 'build_policy',
    'distribution_targets', 'SelectionPlan', 'apply_plan', 'image_quota',
    'LoadOptimizerStateHook', 'MarkPseudoLabeled',
    'SelfTrainingEncoderDecoder'
]

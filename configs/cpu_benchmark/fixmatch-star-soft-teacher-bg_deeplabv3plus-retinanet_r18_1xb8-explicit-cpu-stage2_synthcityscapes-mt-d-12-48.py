# Multi-task FixMatch* of the CPU benchmark in the papers' regime (issue 17)
# with the peers' answer to the positives-only detection loss: Soft
# Teacher's background weighting (Xu et al., "End-to-End Semi-Supervised
# Object Detection with Soft Teacher", arXiv:2106.09018, sec. 3.2, eq. 3-4;
# mmssl/models/multitask/teacher_background.py). The multi-task paper's
# unsupervised detection loss drops every background anchor of an unlabeled
# image (sec. 3: its 0.5-score boxes miss objects, so a background target
# may be wrong); Soft Teacher keeps the background and weighs each
# background candidate by the teacher's background score for it, here per
# anchor (the teacher on the weak view; FixMatch*'s views share one crop,
# so its anchors are the student's). Everything else is the FixMatch*
# multi-task arm: the multi-task paper's 0.5 box threshold (Soft Teacher's
# own 0.9 is tuned to a Faster R-CNN teacher: no box of this CPU teacher
# reaches it on most images, docs/cpu_benchmark.md), no box jitter (Soft
# Teacher's regression-side filter, for its two-stage head), its schedule,
# views and weights. An opt-in arm of tools/benchmark_regime.py
# (--arms ... mt_fixmatch_star_soft_bg), not one of the arms.
_base_ = ('./fixmatch-star_deeplabv3plus-retinanet_r18_1xb8-explicit-cpu-'
          'stage2_synthcityscapes-mt-d-12-48.py')

model = dict(
    semi_train_cfg=dict(
        det_positives_only=False, det_teacher_background=True))

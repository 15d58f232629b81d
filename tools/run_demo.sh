#!/usr/bin/env bash
# The main job on CPU: one dataset and split of the CPU benchmark in the
# papers' regime (tools/benchmark_regime.py, docs/cpu_benchmark.md), at the
# benchmark's lengths. Sets up ./.venv if needed, then
#   0. builds the CPU pretraining stand-in once (tools/pretrain_backbone.py:
#      the backbone trained on generated street scenes of other generator
#      seeds; cached in checkpoints/cpu_pretrain, reused by later runs),
#   1. generates the Cityscapes-format dataset 0 (96 train, 32 val images)
#      and its 1/8 split (12 labeled, 84 unlabeled),
#   2. stage 1: the supervised model, 1500 steps on the 12 labeled images
#      from the pretrained backbone,
#   3. from that checkpoint, 600 more steps of the supervised baseline
#      evaluated with the EMA of its weights (the semi-supervised arms are
#      evaluated with their EMA teacher) and of each method of METHODS
#      (default: the Cutout mean teacher, the method measured above this
#      baseline on every training seed of this dataset),
#   4. the all-label reference (all 96 train images labeled, 2100 steps),
# evaluates every run with tools/test.py and prints one table: few labels,
# semi-supervised, all labels, with the wall time.
# Idempotent: data, backbone and finished runs are reused, also those of
# tools/benchmark_regime.py (same work dir; FORCE=1 retrains the runs).
# METHODS="cutout dense_fixmatch" adds arms (choices: the --arms of
# tools/benchmark_regime.py).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source tools/setup_env.sh
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}" PYTHONUNBUFFERED=1
read -r -a METHODS <<< "${METHODS:-cutout}"
python tools/benchmark_regime.py --data-seeds 0 --splits 1-8 \
  --stage1-iters 1500 --iters 600 \
  --arms baseline_ema "${METHODS[@]}" --work-dir work_dirs/benchmark_regime \
  --no-report --results-name main_job_results.json ${FORCE:+--force}

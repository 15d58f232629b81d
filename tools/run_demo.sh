#!/usr/bin/env bash
# The main job on CPU: one dataset and split of the CPU benchmark in the
# papers' regime (tools/benchmark_regime.py, docs/cpu_benchmark.md).
# Sets up ./.venv if needed, then
#   0. builds the CPU pretraining stand-in once (tools/pretrain_backbone.py:
#      the backbone trained on generated street scenes of other generator
#      seeds; cached in checkpoints/cpu_pretrain, reused by later runs),
#   1. generates the Cityscapes-format dataset (96 train, 32 val images)
#      and its 1/8 split (12 labeled, 84 unlabeled),
#   2. stage 1: the supervised model on the 12 labeled images from the
#      pretrained backbone,
#   3. from that checkpoint the supervised baseline and each method of
#      METHODS (default: Dense FixMatch) for the same number of steps,
#   4. the all-label reference (all 96 train images labeled),
# evaluates every run with tools/test.py and prints one table: few labels,
# semi-supervised, all labels, with the wall time.
# Idempotent: data, backbone and finished runs are reused, also those of
# tools/benchmark_regime.py (same work dir; FORCE=1
# retrains the runs). METHODS="dense_fixmatch classmix" adds arms (choices:
# the --arms of tools/benchmark_regime.py).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source tools/setup_env.sh
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}" PYTHONUNBUFFERED=1
read -r -a METHODS <<< "${METHODS:-dense_fixmatch}"
python tools/benchmark_regime.py --data-seeds 0 --splits 1-8 \
  --arms baseline "${METHODS[@]}" --work-dir work_dirs/benchmark_regime \
  --no-report --results-name main_job_results.json ${FORCE:+--force}

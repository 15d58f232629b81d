#!/usr/bin/env bash
# Set up ./.venv if needed (idempotent), then run the CPU test suite.
# Usage: bash tools/run_tests.sh [pytest args]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source tools/setup_env.sh
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
exec python -m pytest tests -q -p no:cacheprovider "$@"

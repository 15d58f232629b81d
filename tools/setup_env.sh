#!/usr/bin/env bash
# Create (or reuse) the project's virtual environment in ./.venv.
#
# Idempotent: when the environment already matches requirements/verified.txt,
# requirements/mim.txt, setup.py and this script, it returns in well under a
# second. The first run on a fresh machine is slow: 10.5 to 36 minutes
# measured on 2-core machines with an empty pip cache (README "Quick
# start"), mostly building mmcv 2.1.0's compiled ops from source plus
# fetching torch; pip caches both, so a rebuild of the venv takes minutes.
#
# Usage: source tools/setup_env.sh   (or: bash tools/setup_env.sh)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${MMSSL_VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3}"
TORCH_SPEC="${MMSSL_TORCH_SPEC:-torch==2.13.0}"
MMCV_SPEC="mmcv==2.1.0"
STAMP="$VENV/.mmssl-env-stamp"
want="$(cat "$ROOT/requirements/verified.txt" "$ROOT/requirements/mim.txt" "$ROOT/tools/setup_env.sh" "$ROOT/setup.py" | sha256sum | cut -d' ' -f1)"

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
  :  # up to date
else
  echo "[setup_env] preparing $VENV" >&2
  [[ -x "$VENV/bin/python" ]] || "$PY" -m venv "$VENV"
  pip_() { "$VENV/bin/python" -m pip install --disable-pip-version-check -q "$@"; }
  pip_ --upgrade pip
  # mmcv's setup.py imports pkg_resources (removed in setuptools 81); torch needs >=77.
  pip_ "setuptools>=77.0.3,<80" wheel ninja
  if ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
    echo "[setup_env] installing $TORCH_SPEC (a large download the first time)" >&2
    pip_ "$TORCH_SPEC"
  fi
  pip_ "numpy>=1.24" "opencv-python" packaging psutil
  if ! "$VENV/bin/python" -c "import mmcv, mmcv.ops" 2>/dev/null; then
    echo "[setup_env] building $MMCV_SPEC with its compiled ops from source: this takes" \
         "~15-35 min on 2 cores the first time (pip caches the wheel; later installs take seconds)." \
         "Started $(date +%H:%M:%S); pip prints nothing until it is done." >&2
    MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" pip_ --no-build-isolation "$MMCV_SPEC"
  fi
  pip_ -r "$ROOT/requirements/verified.txt"
  # openmim for `mim train/test mmssl` (optional for users; the tests use it)
  pip_ -r "$ROOT/requirements/mim.txt"
  pip_ --no-deps "openmim==0.3.9"
  pip_ --no-deps --no-build-isolation -e "$ROOT"
  "$VENV/bin/python" -c "import mmssl, mmseg.models, mmdet.models" >/dev/null
  echo "$want" > "$STAMP"
  echo "[setup_env] ready" >&2
fi
export PATH="$VENV/bin:$PATH"

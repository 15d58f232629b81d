#!/usr/bin/env bash
# The main job on CPU: set up ./.venv if needed, generate the small
# Cityscapes-format dataset, train the supervised baseline and Dense FixMatch
# on 8 labeled images (+ the rest unlabeled), evaluate both with
# tools/test.py and print both mIoU side by side.
# Idempotent: data, splits and finished runs are reused (FORCE=1 retrains).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source tools/setup_env.sh
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}" PYTHONUNBUFFERED=1

DATA=data/synthetic
WORK=work_dirs/demo
BASELINE=configs/demo/deeplabv3plus_r18-d8_1xb4-cpu-300i_synthcityscapes-8.py
FIXMATCH=configs/demo/dense-fixmatch_deeplabv3plus_r18-d8_1xb8-explicit-cpu-300i_synthcityscapes-8.py

python tools/gen_datasets.py --out "$DATA" --dataset cityscapes --seed 0
python tools/make_splits.py --dataset cityscapes --data-root "$DATA/cityscapes" \
  --num-labeled 8 --num-splits 1 --seed 0

run() {  # run NAME CONFIG -> prints the mIoU of tools/test.py
  local name=$1 config=$2 dir="$WORK/$1"
  local ckpt="$dir/iter_$(python -c "from mmengine.config import Config; print(Config.fromfile('$config').train_cfg.max_iters)").pth"
  if [[ ! -f "$ckpt" || -n "${FORCE:-}" ]]; then
    echo "[demo] training $name ($config)" >&2
    SECONDS=0
    python tools/train.py "$config" --work-dir "$dir" > "$dir.train.log" 2>&1 \
      || { tail -n 30 "$dir.train.log" >&2; exit 1; }
    echo "[demo] $name trained in ${SECONDS}s (log: $dir.train.log)" >&2
  else
    echo "[demo] reusing $ckpt (FORCE=1 retrains)" >&2
  fi
  python tools/test.py "$config" "$ckpt" --work-dir "$dir/test" > "$dir.test.log" 2>&1 \
    || { tail -n 30 "$dir.test.log" >&2; exit 1; }
  grep -o 'Iter(test).*mIoU: [0-9.]*' "$dir.test.log" | grep -o 'mIoU: [0-9.]*' | tail -n 1 | cut -d' ' -f2
}

mkdir -p "$WORK"
base_miou=$(run baseline "$BASELINE")
fm_miou=$(run dense_fixmatch "$FIXMATCH")
printf '\n%-40s %8s\n' "method (8 labeled, synthetic Cityscapes val)" "mIoU"
printf '%-40s %8s\n' "supervised baseline (student)" "$base_miou"
printf '%-40s %8s\n' "Dense FixMatch (EMA teacher)" "$fm_miou"

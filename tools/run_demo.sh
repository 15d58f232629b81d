#!/usr/bin/env bash
# The main job on CPU: set up ./.venv if needed, generate the small
# Cityscapes-format dataset, then
#   1. train a supervised warm-up on the 8 labeled images (300 iterations
#      from scratch: the CPU stand-in for an ImageNet-pretrained backbone),
#   2. from that checkpoint, train the supervised baseline and each
#      semi-supervised method of METHODS (default: Dense FixMatch, UniMatch,
#      UniMatch V2; 8 labeled + 40 unlabeled images) for 100 more
#      iterations each,
#   3. evaluate every run with tools/test.py and print the mIoU side by
#      side, and where the pseudo-label panels of each method's run are.
# Idempotent: data, splits and finished runs are reused (FORCE=1 retrains);
# a stage-2 run older than the warm-up checkpoint is retrained.
# METHODS="dense_fixmatch" bash tools/run_demo.sh runs one method only.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source tools/setup_env.sh
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}" PYTHONUNBUFFERED=1

DATA=data/synthetic
WORK=work_dirs/demo
WARMUP=configs/demo/deeplabv3plus_r18-d8_1xb4-cpu-300i_synthcityscapes-8.py
BASELINE=configs/demo/deeplabv3plus_r18-d8_1xb4-cpu-sup300i-100i_synthcityscapes-8.py
# the semi-supervised arms: config and table label of each method
declare -A SEMI_CONFIG=(
  [dense_fixmatch]=configs/demo/dense-fixmatch_deeplabv3plus_r18-d8_1xb8-explicit-same-cpu-sup300i-100i_synthcityscapes-8.py
  [unimatch]=configs/demo/unimatch_deeplabv3plus_r18-d8_1xb8-explicit-cpu-sup300i-100i_synthcityscapes-8.py
  [unimatch_v2]=configs/demo/unimatch-v2_deeplabv3plus_r18-d8_1xb8-explicit-cpu-sup300i-100i_synthcityscapes-8.py
)
declare -A SEMI_LABEL=(
  [dense_fixmatch]="Dense FixMatch (+40 unlabeled, EMA teacher)"
  [unimatch]="UniMatch (+40 unlabeled, labels itself)"
  [unimatch_v2]="UniMatch V2 strategy (+40 unlabeled, EMA)"
)
read -r -a METHODS <<< "${METHODS:-dense_fixmatch unimatch unimatch_v2}"
for m in "${METHODS[@]}"; do
  [[ -n "${SEMI_CONFIG[$m]:-}" ]] || {
    echo "[demo] unknown method '$m' in METHODS; choose from: ${!SEMI_CONFIG[*]}" >&2; exit 1; }
done
SEMI=()
for m in "${METHODS[@]}"; do SEMI+=("${SEMI_CONFIG[$m]}"); done
# run names = work dirs under $WORK (the warm-up's comes from the configs)
BASELINE_RUN=baseline_sup300i_100i

python tools/gen_datasets.py --out "$DATA" --dataset cityscapes --seed 0
python tools/make_splits.py --dataset cityscapes --data-root "$DATA/cityscapes" \
  --num-labeled 8 --num-splits 1 --seed 0

# each config's train_cfg.max_iters and the checkpoint its init_cfg loads
# (for SemiSegmentor on model.segmentor), read in one Python start
declare -A ITERS INIT
while read -r config iters init; do
  ITERS[$config]=$iters INIT[$config]=$init
done < <(python -c "
import sys
from mmengine.config import Config
for c in sys.argv[1:]:
    cfg = Config.fromfile(c)
    init = (cfg.model.get('segmentor') or cfg.model).get('init_cfg') or {}
    print(c, cfg.train_cfg.max_iters, init.get('checkpoint', '-'))" \
  "$WARMUP" "$BASELINE" "${SEMI[@]}")
[[ ${#ITERS[@]} == $((2 + ${#SEMI[@]})) ]] || { echo "[demo] could not read max_iters of the demo configs" >&2; exit 1; }
# the warm-up trains where every stage-2 config looks for its checkpoint
WARMUP_CKPT=${INIT[$BASELINE]}
WARMUP_RUN=$(basename "$(dirname "$WARMUP_CKPT")")
for config in "$BASELINE" "${SEMI[@]}"; do
  if [[ "${INIT[$config]}" != "$WARMUP_CKPT" ||
        "$WORK/$WARMUP_RUN/iter_${ITERS[$WARMUP]}.pth" != "$WARMUP_CKPT" ]]; then
    echo "[demo] init_cfg.checkpoint must be $WORK/<run>/iter_${ITERS[$WARMUP]}.pth in" \
         "$config; got ${INIT[$config]}" >&2
    exit 1
  fi
done

train() {  # train NAME CONFIG [NEWER_THAN]: train unless a fresh checkpoint exists
  local name=$1 config=$2 dep=${3:-} dir="$WORK/$1"
  local ckpt="$dir/iter_${ITERS[$config]}.pth"
  if [[ -f "$ckpt" && -z "${FORCE:-}" && ( -z "$dep" || "$ckpt" -nt "$dep" ) ]]; then
    echo "[demo] reusing $ckpt (FORCE=1 retrains)" >&2
    return
  fi
  echo "[demo] training $name ($config, ${ITERS[$config]} steps)" >&2
  SECONDS=0
  # the full log goes to a file; the console gets step count and ETA
  if ! python tools/train.py "$config" --work-dir "$dir" 2>&1 | tee "$dir.train.log" |
      sed -unE "s/.*Iter\(train\) \[ *([0-9]+)\/([0-9]+)\].*eta: ([0-9:]+).*/[demo] $name: step \1\/\2, eta \3/p" >&2; then
    tail -n 30 "$dir.train.log" >&2; exit 1
  fi
  echo "[demo] $name trained in ${SECONDS}s (log: $dir.train.log)" >&2
}

test_miou() {  # test_miou NAME CONFIG -> "mIoU aAcc" of tools/test.py on the val set
  local name=$1 config=$2 dir="$WORK/$1"
  local ckpt="$dir/iter_${ITERS[$config]}.pth"
  python tools/test.py "$config" "$ckpt" --work-dir "$dir/test" > "$dir.test.log" 2>&1 \
    || { tail -n 30 "$dir.test.log" >&2; exit 1; }
  local line
  line=$(grep 'Iter(test)' "$dir.test.log" | tail -n 1)
  echo "$(grep -o 'mIoU: [0-9.]*' <<< "$line" | cut -d' ' -f2)" \
       "$(grep -o 'aAcc: [0-9.]*' <<< "$line" | cut -d' ' -f2)"
}

mkdir -p "$WORK"
train "$WARMUP_RUN" "$WARMUP"
train "$BASELINE_RUN" "$BASELINE" "$WARMUP_CKPT"
for m in "${METHODS[@]}"; do
  train "${m}_sup300i_100i" "${SEMI_CONFIG[$m]}" "$WARMUP_CKPT"
done
warm_miou=$(test_miou "$WARMUP_RUN" "$WARMUP")
base_miou=$(test_miou "$BASELINE_RUN" "$BASELINE")
declare -A SEMI_MIOU
for m in "${METHODS[@]}"; do
  SEMI_MIOU[$m]=$(test_miou "${m}_sup300i_100i" "${SEMI_CONFIG[$m]}")
done

row() { printf '%-46s %9s %8s %8s\n' "$@"; }
echo
row "8 labeled images, synthetic Cityscapes val" steps mIoU aAcc
w=${ITERS[$WARMUP]}
row "supervised warm-up (shared start)" "$w" $warm_miou
row "supervised baseline (labeled only)" "$w+${ITERS[$BASELINE]}" $base_miou
for m in "${METHODS[@]}"; do
  row "${SEMI_LABEL[$m]}" "$w+${ITERS[${SEMI_CONFIG[$m]}]}" ${SEMI_MIOU[$m]}
done
# each method's newest pseudo-label panels (PseudoLabelVisualizationHook)
for m in "${METHODS[@]}"; do
  panels=$(ls -d "$WORK/${m}_sup300i_100i"/*/vis_data/vis_image 2>/dev/null | tail -n 1 || true)
  if [[ -n "$panels" ]]; then
    echo "$m pseudo-label panels (weak | pseudo-label | matched over strong | strong | student): $panels"
  fi
done

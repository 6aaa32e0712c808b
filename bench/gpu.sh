#!/usr/bin/env bash
# The GPU rows of BENCHMARKS.md in one run, for a session that is lent the device machine
# (torch, numpy and safetensors there; no Pillow, no internet).
#
#   here, once:      bash bench/gpu.sh --prepare     # data/gpu/: MNIST gzipped, Pillow wheels (about 40 MB)
#   on the device:   run(carry=["data/gpu"], command="bash bench/gpu.sh", timeout_s=600)
#
# Each step has its own time limit, so a slow one leaves the others' figures; everything printed goes to
# $OUT/gpu.log too. About 8 minutes on an H200 by the limits below, most of it the CNN recipes.
set -u
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
PILLOW_FOR="3.10 3.11 3.12 3.13"

if [ "${1:-}" = "--prepare" ]; then
  [ -x .venv/bin/python ] && PY=.venv/bin/python
  mkdir -p data/gpu
  PYTHONPATH=. "$PY" -c "from train.data import fetch; fetch()" || exit 1
  for f in data/mnist/*-ubyte; do gzip -9 -c "$f" > "data/gpu/$(basename "$f").gz"; done
  for v in $PILLOW_FOR; do
    "$PY" -m pip download pillow --only-binary=:all: --no-deps --python-version "$v" \
      --platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 -d data/gpu -q || exit 1
  done
  du -sh data/gpu
  exit 0
fi

LOG=${OUT:-/tmp}/gpu.log
: > "$LOG"
say() { echo "$*" | tee -a "$LOG"; }
step() {  # step LIMIT_S SCRIPT ARGS...: one bench, cut off at its limit
  local limit=$1; shift
  say "== $* (limit ${limit} s, $(date -u +%H:%M:%S))"
  PYTHONPATH=. timeout "$limit" "$PY" "$@" 2>&1 | tee -a "$LOG"
  say "== exit ${PIPESTATUS[0]} ($(date -u +%H:%M:%S))"
}

mkdir -p data/mnist
for gz in data/gpu/*.gz; do  # the carried MNIST, unpacked once; train/data.py checks every file's MD5
  [ -e "$gz" ] || break
  out="data/mnist/$(basename "$gz" .gz)"
  [ -s "$out" ] || gzip -dc "$gz" > "$out"
done
if ! "$PY" -c "import PIL" 2>/dev/null; then  # world-style digits are drawn with Pillow
  "$PY" -m pip install --no-index --find-links data/gpu pillow -q 2>&1 | tail -1 | tee -a "$LOG"
fi
"$PY" - <<'EOF' 2>&1 | tee -a "$LOG"
import platform, torch
try:
    import PIL; pil = PIL.__version__
except ImportError:
    pil = "missing: world styles cannot be drawn"
gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no CUDA device"
print(f"python {platform.python_version()}, torch {torch.__version__}, {gpu}, Pillow {pil}")
EOF
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 | tee -a "$LOG"

step 150 bench/train_speed.py --device cuda
step 60 bench/channels_last.py --device cuda
step 60 bench/sweep.py --project --device cuda
step 240 bench/cnn_recipes.py --device cuda --seeds 1 2 --recipe shipped --recipe long:epochs=36 --averages 0.998 0.999 0.9995

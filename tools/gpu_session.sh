#!/usr/bin/env bash
# The commands that ran on the GPU machines (an H100 in session 5, an H200 in session 10; PyTorch with CUDA, no ODL/ASTRA,
# no CT data): the GPU rows of results/benchmarks.csv and results/train_speed.csv, and GPU training of 128² priors.
# The machine cannot read ../shared, so the LIDC splits travel as volume files made here first (the training split in
# float16, compressed, so that the repository and the data stay under the 64 MiB a call may carry):
#   python -c "import numpy as np; from diffblend.data import load_lidc
#   for s, dt in (('train', np.float16), ('val', np.float32)):
#       v = load_lidc(s, 128); np.savez_compressed(f'.gpu/lidc_{s}128.npz', volume=v.x.numpy().astype(dt), spacing=np.array(v.spacing), units='x')"
# Usage there:  bash tools/gpu_session.sh bench          # reconstruction and training timings
#               bash tools/gpu_session.sh train MINUTES  # prior variants side by side (VARIANTS=...), then the gate
#               bash tools/gpu_session.sh all 150 5      # both in one lease: timings, then four variants exported to $OUT
#               bash tools/gpu_session.sh bench2 200     # the target with --warmup (autotuning out of the clock), growth, speed-ups
#               bash tools/gpu_session.sh bench3 420     # the step's pieces alone, the target steady and cold, profile, compile
set -u; SECONDS=0
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/gpu_out}; mkdir -p "$OUT"
# run a timing phase's command within what is left of its BUDGET seconds (counted from the start); skip it if too little is left
lim() { local left=$((BUDGET - SECONDS)); if [ $left -gt 15 ]; then timeout $left "$@"; else echo "skipped (budget): $*"; fi; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python -c "import torch; print('torch', torch.__version__, torch.cuda.get_device_name())"
case "${1:-}" in
bench)
  BUDGET=${2:-300}    # seconds for the whole phase; what does not fit is skipped
  B="python benchmarks/recon_speed.py --device cuda --csv $OUT/benchmarks.csv"
  # the H100 target: 256 x 256 x 256, 8 views, DiffusionBlend++ 200 steps; what each speed-up does
  S="$B --methods blend++ --depths 256 --sizes 256 --steps 200 --batch 128"
  lim $S --backend sparse
  lim $S --backend sparse --dtype bf16
  lim $S --backend sparse --dtype bf16 --channels_last
  lim $S --backend torch --dtype bf16
  # growth with depth on the GPU, every method at the CPU target's size, training throughput, then compilation
  lim $B --backend sparse --methods blend++ --depths 32,64,128,256 --sizes 256 --steps 20 --batch 128 --dtype bf16
  lim $B --backend sparse --methods fbp,tv,dds2d,dds,mbir,blend,blend++,patch3d --depths 64 --sizes 128 --steps 50 --batch 128
  lim python benchmarks/train_speed.py --device cuda --batch 64 --steps 20 --csv "$OUT/train_speed.csv"
  lim $S --backend sparse --dtype bf16 --compile --warmup 4
  ;;
train)
  # variants side by side, each warm-started from the committed prior; the validation gate picks one per kind
  M=${2:-6}
  V=${VARIANTS:-"slice_drop slice --crop 64 --batch 128 --dropout 0.1;slice_crop slice --crop 64 --batch 128;blend_drop blend --crop 64 --batch 128 --dropout 0.1;blend_crop blend --crop 64 --batch 128"}
  IFS=';' read -ra W <<< "$V"
  for v in "${W[@]}"; do
    read -r name p extra <<< "$v"
    S=1; [ "$p" = blend ] && S=1,2,3,4,5,6,7,8
    ${DRY:-} python -m diffblend.train --prior $p --device cuda --data .gpu/lidc_train128.npz --out /tmp/ck/$name --init diffblend/priors/${p}128 \
      --lr 1e-4 --warmup 100 --rot_deg 20 --zoom 0.15 --shift 0.15 --strides $S --steps 1000000 \
      --ckpt_every 500 --threads 3 --max_minutes "$M" $extra > /tmp/train_$name.log 2>&1 &
  done
  wait
  for f in /tmp/train_*.log; do echo "$f: $(tail -c 300 $f | tr '\r' '\n' | tail -2 | tr '\n' ' ')"; done
  python benchmarks/prior_gate.py --val .gpu/lidc_val128.npz diffblend/priors/slice128 diffblend/priors/blend128 /tmp/ck/* | tee /tmp/gate.txt
  for p in slice blend; do   # the variant with the best mean margin over t comes back (if it beats the committed prior)
    best=$(python - "$p" <<'PY'
import re, sys, collections
m = collections.defaultdict(list)
for line in open("/tmp/gate.txt"):
    path, margin = line.split()[0], float(re.search(r"margin ([-+.0-9]+)", line).group(1))
    m[path].append(margin)
kind = sys.argv[1]
cands = {k: sum(v) / len(v) for k, v in m.items() if k.split("/")[-1].startswith(kind)}
print(max(cands, key=cands.get))
PY
)
    echo "best $p: $best"
    case $best in /tmp/ck/*) python -c "from diffblend.train import export_prior; export_prior('$best', '$OUT/${p}128')";; esac
  done
  ;;
all)
  # one lease, one call: the #9 target and its speed-ups (BUDGET seconds), then the four prior variants trained side by
  # side for MINUTES, each exported (EMA, fp16) to $OUT/NAME.safetensors; the gate and the reconstructions run back
  # on the CPU machine, which holds the validation data and the tests.
  BUDGET=${2:-150}; M=${3:-5}
  B="python benchmarks/recon_speed.py --device cuda --csv $OUT/benchmarks.csv"
  S="$B --methods blend++ --depths 256 --sizes 256 --steps 200 --batch 128"
  lim $S --backend sparse
  lim $S --backend sparse --dtype bf16 --channels_last
  lim $B --backend sparse --methods blend++ --depths 32,64,128,256 --sizes 256 --steps 20 --batch 128
  lim python benchmarks/train_speed.py --device cuda --batch 128 --steps 20 --csv "$OUT/train_speed.csv"
  echo "bench phase done at ${SECONDS} s"
  V="slice slice --dropout 0;slice_drop slice --dropout 0.1;blend blend --dropout 0;blend_drop blend --dropout 0.1"
  IFS=';' read -ra W <<< "$V"
  for v in "${W[@]}"; do
    read -r name p extra <<< "$v"
    S=1; [ "$p" = blend ] && S=1,2,3,4,5,6,7,8
    timeout $((M * 60 + 90)) python -m diffblend.train --prior $p --device cuda --data .gpu/lidc_train128.npz --out /tmp/ck/$name \
      --init diffblend/priors/${p}128 --crop 64 --batch 128 --lr 3e-4 --warmup 200 --ema 0.999 --rot_deg 20 --zoom 0.15 \
      --shift 0.15 --strides $S --steps 1000000 --ckpt_every 500 --threads 3 --max_minutes "$M" $extra > /tmp/train_$name.log 2>&1 &
  done
  wait
  echo "training done at ${SECONDS} s"
  mkdir -p /tmp/exp
  for d in /tmp/ck/*; do
    n=$(basename $d)
    python -c "from diffblend.train import export_prior; export_prior('$d', '/tmp/exp/$n')" && cp /tmp/exp/$n/model.safetensors $OUT/$n.safetensors
    cp /tmp/exp/$n/config.json /tmp/exp/$n.json 2>/dev/null
    echo "$n: $(tail -c 400 /tmp/train_$n.log | tr '\r' '\n' | tail -2 | tr '\n' ' ')"
  done
  cp /tmp/train_*.log /tmp/exp/ 2>/dev/null
  [ -f "$OUT/train_speed.csv" ] && mv "$OUT/train_speed.csv" /tmp/exp/
  tar -C /tmp/exp -czf $OUT/logs.tgz $(cd /tmp/exp && ls *.json *.log *.csv 2>/dev/null)
  ls -la $OUT; echo "all done at ${SECONDS} s"
  ;;
bench2)
  # the second lease of session 10: what each speed-up does with autotuning kept out of the clock (--warmup), growth
  # with depth likewise, every method at the CPU target's size with the sparse backend, training throughput
  BUDGET=${2:-200}
  B="python benchmarks/recon_speed.py --device cuda --csv $OUT/benchmarks.csv --warmup 4"
  S="$B --methods blend++ --depths 256 --sizes 256 --steps 200 --batch 128 --backend sparse"
  lim $S
  lim $S --dtype bf16
  lim $S --channels_last
  lim $B --backend sparse --methods blend++ --depths 32,64,128,256 --sizes 256 --steps 20 --batch 128
  lim python benchmarks/train_speed.py --device cuda --batch 128 --steps 20 --csv "$OUT/train_speed.csv"
  lim $B --backend sparse --methods fbp,tv,dds2d,dds,mbir,blend,blend++,patch3d --depths 64 --sizes 128 --steps 50 --batch 128
  lim $S --dtype bf16 --compile
  ls -la $OUT; echo "bench2 done at ${SECONDS} s"
  ;;
bench3)
  # session 11: the step's vector work made leaner (fused in-place CG, no per-call NaN test, no host-device waits),
  # CUDA-event timing; each piece of the step alone, the target in the steady state and from a cold start, a kernel
  # profile, growth with depth, then torch.compile without and with CUDA graphs
  BUDGET=${2:-420}
  B="python benchmarks/recon_speed.py --device cuda --csv $OUT/benchmarks.csv"
  S="$B --methods blend++ --depths 256 --sizes 256 --steps 200 --batch 128 --backend sparse"
  lim python benchmarks/step_ops.py --device cuda --csv $OUT/step_ops.csv
  lim $S --warmup 4
  lim $S
  lim $S --warmup 4 --profile $OUT/profile_blendpp_256.txt
  lim $B --backend sparse --methods blend++ --depths 32,64,128,256 --sizes 256 --steps 20 --batch 128 --warmup 8
  lim $S --warmup 16 --compile
  lim $S --warmup 16 --compile graphs
  ls -la $OUT; echo "bench3 done at ${SECONDS} s"
  ;;
*) echo "usage: $0 bench | bench2 | bench3 | train MINUTES | all BUDGET_SECONDS MINUTES"; exit 2;;
esac

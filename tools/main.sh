#!/usr/bin/env bash
# The main job: run experiments/reconstruct.ipynb with papermill into a new run folder under runs/.
# Usage: bash tools/main.sh [name=value ...]   e.g. bash tools/main.sh n_views=6 methods=fbp,tv data=/path/to/series
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/tools/env.sh"
cd "$root"
run="runs/$(date +%Y%m%d-%H%M%S)"
args=()
for kv in "$@"; do
  case "$kv" in
    *=*) k="${kv%%=*}"; v="${kv#*=}"; [ "$k" = out_dir ] && run="$v"; args+=(-p "$k" "$v") ;;
    *) echo "arguments are name=value papermill parameters, got '$kv'" >&2; exit 2 ;;
  esac
done
mkdir -p "$run"
echo "[diffblend] running experiments/reconstruct.ipynb into $run"
start=$(date +%s)
python -m papermill --log-output --no-progress-bar experiments/reconstruct.ipynb "$run/reconstruct.ipynb" -p out_dir "$run" "${args[@]}"
echo "[diffblend] done in $(( $(date +%s) - start )) s: $run/metrics.json, $run/*.png, $run/reconstruct.ipynb"

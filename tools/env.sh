#!/usr/bin/env bash
# Create or reuse the project's virtual environment (.venv) and install diffblend with its dev extra.
# Sourced by tools/main.sh and tools/test.sh. Reinstalls only when settings.ini or setup.py changed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="${PYTHON:-python3.11}"
command -v "$py" >/dev/null 2>&1 || py=python3
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  echo "[diffblend] creating virtual environment in $venv"
  "$py" -m venv "$venv"
fi
stamp="$venv/.diffblend-installed"
want="$(cat "$root/settings.ini" "$root/setup.py" | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[diffblend] installing diffblend and its dependencies (CPU-only torch)"
  "$venv/bin/python" -m pip install -q --upgrade pip setuptools wheel
  # torch first, bounded, so that pip takes a CPU wheel where one is available and never a newer CUDA build.
  "$venv/bin/python" -m pip install -q "torch>=2.4,<2.14"
  "$venv/bin/python" -m pip install -q -e "$root[dev]"
  echo "$want" > "$stamp"
fi
export PATH="$venv/bin:$PATH"
export MPLBACKEND=Agg
# Real CT for tests and notebooks: ../shared/data/ct beside the checkout unless the user points elsewhere.
if [ -z "${DIFFBLEND_CT_ROOT:-}" ] && [ -d "$root/../shared/data/ct" ]; then
  export DIFFBLEND_CT_ROOT="$(cd "$root/../shared/data/ct" && pwd)"
fi

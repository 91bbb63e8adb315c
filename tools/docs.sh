#!/usr/bin/env bash
# Build the documentation site from _quarto.yml into _site/: Quarto when installed, otherwise smalldocs (offline).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/tools/env.sh"
cd "$root"
python tools/docs.py "$@"

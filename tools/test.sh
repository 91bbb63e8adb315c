#!/usr/bin/env bash
# Run every test: the notebooks under nbdev_test (small sizes, IN_TEST=1), then pytest over tests/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/tools/env.sh"
cd "$root"
# The docs browser test needs Chromium; install Debian's package when we may (root with apt), else it skips.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "[diffblend] installing Debian's chromium for the docs browser test"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "[diffblend] chromium could not be installed; the browser test will skip"
fi
echo "[diffblend] nbdev_test: every notebook in nbs/ at test size"
nbdev_test --n_workers 2 --timing --do_print
echo "[diffblend] pytest"
python -m pytest -p no:odl_plugins -p no:cacheprovider "$@" tests

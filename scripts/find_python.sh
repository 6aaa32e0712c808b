# Sourced by run.sh and test.sh: sets $py to a Python 3.11 or newer, or stops with a sentence.
py=""
for c in python3.13 python3.12 python3.11 python3; do
  if command -v "$c" >/dev/null && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then py=$c; break; fi
done
if [ -z "$py" ]; then
  echo "[setup] Python 3.11 or newer is needed: install it (python.org, or your system's packages), then run this again" >&2
  exit 1
fi

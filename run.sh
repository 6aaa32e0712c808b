#!/usr/bin/env bash
# Set up (idempotent) and start Digit Lab on the shipped models. Extra arguments go to `streamlit run`.
#   ./run.sh          only this computer can open it (http://localhost:8501)
#   ./run.sh --lan    every machine that can reach this one can open it: a class on the school network
#                     (README, "On a school network": what that exposes and how to limit it)
set -euo pipefail
cd "$(dirname "$0")"
address=127.0.0.1
if [ "${1:-}" = "--lan" ]; then
  address=0.0.0.0
  shift
  echo "Digit Lab is open to the network: anyone who can reach this computer can draw, and start, stop or" \
       "delete training runs. Stop it (Ctrl-C) when the lesson ends." >&2
fi
scripts/setup.sh
exec .venv/bin/streamlit run app.py --server.address "$address" "$@"

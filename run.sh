#!/usr/bin/env bash
# Set up (idempotent) and start Digit Lab on the shipped models. Extra arguments go to `streamlit run`.
#   ./run.sh          only this computer can open it (http://localhost:8501)
#   ./run.sh --lan    every machine that can reach this one can open it: a class on the school network;
#                     prints the students' address and the teacher link (scripts/start.py; README,
#                     "On a school network": what that exposes and how to limit it)
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
exec .venv/bin/python scripts/start.py "$@"

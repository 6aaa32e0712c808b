#!/usr/bin/env bash
# Set up (idempotent) and start Digit Lab on the shipped models. Extra arguments go to `streamlit run`.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
exec .venv/bin/streamlit run app.py "$@"

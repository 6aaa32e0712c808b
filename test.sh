#!/usr/bin/env bash
# Set up everything the tests need (idempotent), then run them. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh --dev
exec .venv/bin/python -m pytest "$@"

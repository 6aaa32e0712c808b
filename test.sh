#!/usr/bin/env bash
# Set up everything the tests need (idempotent), then run them (scripts/run_tests.py). Extra arguments go to pytest.
# Windows: test.bat does the same. The setup is Python: scripts/setup.py --dev.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/find_python.sh
"$py" scripts/setup.py --dev
exec .venv/bin/python scripts/run_tests.py "$@"

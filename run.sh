#!/usr/bin/env bash
# Set up (idempotent) and start Digit Lab on the shipped models. Extra arguments go to scripts/start.py.
#   ./run.sh          only this computer can open it (http://localhost:8501)
#   ./run.sh --lan    a class on the school network: prints the students' address and the teacher link
# Windows: run.bat does the same. The work is in Python: scripts/setup.py, then scripts/start.py.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/find_python.sh
"$py" scripts/setup.py
exec .venv/bin/python scripts/start.py "$@"

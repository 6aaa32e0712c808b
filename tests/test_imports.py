"""The layers of docs/ARCHITECTURE.md and no import cycles, as import-linter's contracts in pyproject.toml."""

import shutil
import subprocess
import sys
from pathlib import Path

from model.paths import REPO


def test_the_import_contracts_hold():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert lint, "lint-imports is missing: pip install -r requirements-dev.txt"
    r = subprocess.run([lint], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "BROKEN" not in r.stdout and "4 kept, 0 broken" in r.stdout

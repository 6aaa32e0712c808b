"""The models a user can pick: the shipped checkpoints, then every run that ended with a usable one.

model/store.py knows checkpoints; which run folders hold a finished one (status.json says done or
stopped) is train/'s knowledge, so the two meet here. A run whose files are damaged is skipped with a
logged note naming it; the others are listed as usual.
"""

from __future__ import annotations

import logging
from pathlib import Path

from jobs import folder as rundir
from model import store

log = logging.getLogger(__name__)


def finished_runs(root: Path | None = None) -> list[Path]:
    """Run folders whose run ended with a checkpoint (done or stopped), newest first."""
    root = Path(root) if root else rundir.runs_dir()
    folders = []
    for d in root.glob("*/"):
        if not (d / "config.json").exists() and not (d / "model.json").exists():
            continue  # not a run: runs/sweeps/, or a folder someone made by hand
        try:
            mtime = d.stat().st_mtime
        except OSError:  # deleted while we looked
            continue
        status = rundir.read_status(d)
        if status["state"] in rundir.WITH_MODEL or status == {"state": rundir.RunState.UNKNOWN}:  # or no status
            folders.append((mtime, d))
        elif status.get("note") and (d / "model.json").exists():
            log.warning("skipped %s: %s", d, status["note"])  # a checkpoint whose run record is damaged
    return [d for _, d in sorted(folders, key=lambda x: x[0], reverse=True)]


def list_models(root: Path | None = None) -> list[store.ModelEntry]:
    """The shipped models first, then every finished (or stopped) run with a usable checkpoint, newest first."""
    return store.list_models(store.entries(finished_runs(root), "run"))


def resolve(name_or_dir: str, root: Path | None = None) -> Path:
    """A model's directory from a path, a shipped name ('mlp', 'cnn') or a run's name or folder name."""
    return store.resolve(name_or_dir, list_models(root))

"""Sweeps as background jobs of the queue (jobs/queue.py: the kind "sweep"): `python -m sweep --out SWEEP`.

A sweep waits in the same per-device queue as training runs (`tick` starts it when its device is free,
and the next job starts when it ends), so a sweep and a training run never fight over the same cores; a
sweep sent to a Ray cluster by address waits only for other such sweeps. It runs inside the same harness
as a run (jobs/harness.py: signals, the STOP file, the time limit, a full disk, how a dead process reads).

A sweep folder (under runs/sweeps/) holds config.json (the SweepConfig, its name, where it runs), the
job record, status.json and metrics.jsonl (events, one JSON per line) in the formats of jobs/folder.py,
and results.json (the rows, sorted) when it ends. Everything is on disk, so a reloaded page, another
session or a terminal sees the same sweep; a stop keeps the rows so far.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from jobs import folder as rundir
from jobs import harness
from jobs import queue as jobs
from jobs.folder import FINAL
from model.presets import get
from sweep.cluster import runner
from sweep.core import SweepConfig, best_row, sweep
from train import run as runs

FOLDER = "sweeps"  # under the runs directory


def _env(folder: Path) -> dict[str, str]:
    """The twin's matrices are tiny: BLAS threads only add overhead (a value already set wins)."""
    try:
        backend = json.loads((folder / "config.json").read_text())["sweep"]["backend"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {"OPENBLAS_NUM_THREADS": "1"} if backend == "numpy" and "OPENBLAS_NUM_THREADS" not in os.environ else {}


SWEEP = jobs.register(jobs.Kind("sweep", FOLDER, lambda folder: ["sweep", "--out", str(folder), "--quiet"], _env))


@dataclass
class SweepInfo:
    """A sweep as the queue read it (`job`), with its SweepConfig."""
    job: jobs.Job
    config: SweepConfig
    ray: str | None

    folder = property(lambda self: self.job.folder)
    name = property(lambda self: self.job.name)
    state = property(lambda self: self.job.state)     # queued | starting | running | done | stopped | failed | …
    status = property(lambda self: self.job.status)
    slot = property(lambda self: self.job.slot)
    active = property(lambda self: self.job.active)
    waiting = property(lambda self: self.job.waiting)  # in its device's queue, not yet claimed by a `tick`
    busy = property(lambda self: self.job.busy)


def slot(cfg: SweepConfig, ray: str | None) -> str:
    """The queue a sweep waits in: its device's, like a training run; "ray" when a cluster's address is given."""
    if ray and ray != "auto":  # `auto` starts a Ray on this machine: it uses this machine's cores
        return "ray"
    return "cpu" if cfg.backend == "numpy" else runs.device_slot(cfg.device)


def sweeps_dir(root: Path | None = None) -> Path:
    """Where sweeps live: runs/sweeps (a folder without config.json, so the run lists skip it)."""
    return Path(root) if root else rundir.runs_dir() / FOLDER


def _write(cfg: SweepConfig, name: str | None, ray: str | None):
    def write(folder: Path) -> None:
        rundir.write_json(folder / "config.json", {"sweep": cfg.to_dict(), "name": name or folder.name, "ray": ray})
    return write


def create(cfg: SweepConfig, name: str | None = None, root: Path | None = None, ray: str | None = None,
           start: bool = False) -> Path:
    """A new sweep folder with its config, queued (and started if `start` and its device is free)."""
    parent = sweeps_dir(root)
    return jobs.submit("sweep", _write(cfg, name, ray), "sweep", name, slot(cfg, ray), parent.parent, start)


def start(cfg: SweepConfig, name: str | None = None, root: Path | None = None, ray: str | None = None) -> Path:
    """Create a sweep and queue it: it starts now if its device is free, else when the job before it ends.
    Returns its folder; raises jobs.QueueFull when too many jobs wait already."""
    return create(cfg, name, root, ray, start=True).resolve()


def execute(folder: Path, data=None) -> dict:
    """Run the sweep in `folder` here (what `python -m sweep --out` does); returns the final status."""
    folder = Path(folder)
    raw = json.loads((folder / "config.json").read_text())
    cfg = SweepConfig.from_dict(raw["sweep"])

    def work(emit, should_stop):
        ended = {}

        def on_event(event: dict) -> None:
            emit(event)
            if event["kind"] == "end":
                ended.update(event)

        rows = sweep(cfg, on_event, should_stop, runner(raw.get("ray")), data)
        rows = sorted(rows, key=lambda r: (r["k"], r["m"]))
        rundir.write_json(folder / "results.json", {"config": cfg.to_dict(), "rows": rows})
        return bool(ended.get("stopped")), {"cells_done": len(rows), "seconds": ended.get("seconds"),
                                            "best": best_row(rows, cfg.protocol)}

    return harness.run(folder, work)


def _info(job: jobs.Job | None) -> SweepInfo | None:
    if job is None:
        return None
    try:
        return SweepInfo(job, SweepConfig.from_dict(job.config["sweep"]), job.config.get("ray"))
    except (KeyError, TypeError, ValueError):  # not a sweep, or a damaged config: not listed
        return None


def read(folder: Path) -> SweepInfo | None:
    """One sweep as it stands (a sweep whose process is gone reads "interrupted"). Writes nothing."""
    return _info(jobs.read(folder))


def list_sweeps(root: Path | None = None, snap: jobs.Snapshot | None = None) -> list[SweepInfo]:
    """Every sweep, newest first (from `snap`, or a new snapshot)."""
    root = sweeps_dir(root)
    snap = snap or jobs.snapshot(root.parent)
    found = [s for j in snap.under(root) if (s := _info(j)) is not None]
    return sorted(found, key=lambda s: s.folder.name, reverse=True)


def events(folder: Path, offset: int = 0) -> tuple[list[dict], int]:
    return rundir.read_events(folder, offset)


def rows(folder: Path) -> list[dict]:
    """The finished cells: results.json once the sweep has ended, else the row events so far."""
    try:
        return json.loads((Path(folder) / "results.json").read_text())["rows"]
    except (OSError, json.JSONDecodeError, KeyError):
        evs, _ = events(folder)
        done = [{k: v for k, v in e.items() if k not in ("kind", "elapsed_s")} for e in evs if e["kind"] == "row"]
        return sorted(done, key=lambda r: (r["k"], r["m"]))


def stop(folder: Path) -> None:
    """Ask a sweep to stop between two steps; the rows so far are kept. One still waiting never starts."""
    jobs.stop(folder)


def delete(folder: Path, root: Path | None = None) -> None:
    jobs.delete(folder, sweeps_dir(root))


def train_fully(k: int, m: int, root: Path | None = None) -> Path:
    """Start a normal training run of one cell: preset seed004-mlp with k layers of m units."""
    cfg = get("seed004-mlp", k=k, m=m).train
    return runs.submit(cfg, name=f"seed004 k={k} m={m}", root=root)


def wait(folder: Path, timeout_s: float = 120) -> SweepInfo:
    """Poll until the sweep has ended (for tests and scripts). Raises TimeoutError."""
    return _info(jobs.wait(folder, timeout_s, FINAL))

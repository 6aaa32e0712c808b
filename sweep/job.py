"""Sweeps as background jobs: `python -m sweep --out SWEEP` in its own session, like training.

A sweep waits in the same per-device queue as training runs (jobs/queue.py: `tick` starts it when its
device is free, and the next job starts when it ends), so a sweep and a training run never fight over
the same cores; a sweep sent to a Ray cluster by address waits only for other such sweeps.

A sweep folder (under runs/sweeps/) holds config.json (the SweepConfig, its name, where it runs),
status.json and metrics.jsonl (events, one JSON per line) in the formats of jobs/folder.py, whose
readers and writers are reused, and results.json (the rows, sorted) when it ends. Everything is on
disk, so a reloaded page, another session or a terminal sees the same sweep; a sweep outlives the
page that started it; a STOP file or SIGTERM stops it between two steps and keeps the rows so far.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from jobs import folder as rundir
from jobs import process
from jobs import queue as jobs
from jobs.folder import RunState
from model import store
from model.presets import get
from sweep.cluster import runner
from sweep.core import SweepConfig, best_row, sweep

FOLDER = "sweeps"  # under the runs directory


@dataclass
class SweepInfo:
    folder: Path
    name: str
    state: str                       # queued | running | done | stopped | failed | interrupted
    config: SweepConfig
    ray: str | None
    status: dict = field(default_factory=dict)
    claimed: bool = False            # queued, and being started

    @property
    def active(self) -> bool:
        return self.state in (RunState.QUEUED, RunState.RUNNING)

    @property
    def waiting(self) -> bool:  # in its device's queue, not yet claimed by a `tick`
        return self.state == RunState.QUEUED and not self.claimed

    @property
    def busy(self) -> bool:  # holds its device's slot
        return self.state == RunState.RUNNING or (self.state == RunState.QUEUED and self.claimed)

    @property
    def slot(self) -> str:  # as written when it was queued, else worked out from its config
        written = self.status.get("slot")
        return written if isinstance(written, str) else slot(self.config, self.ray)

    @property
    def created(self) -> float:
        submitted = self.status.get("submitted")
        return float(submitted) if isinstance(submitted, (int, float)) else 0.0

    def launch(self, root: Path) -> bool:
        """Start this queued sweep (what `jobs.tick` does); False when another caller claimed it first."""
        folder = self.folder.resolve()
        # the twin's matrices are tiny: BLAS threads only add overhead (a value already set wins)
        blas = {"OPENBLAS_NUM_THREADS": "1"} if self.config.backend == "numpy" and \
            "OPENBLAS_NUM_THREADS" not in os.environ else {}
        return process.start(folder, [sys.executable, "-m", "sweep", "--out", str(folder), "--quiet"],
                             root, blas)


def slot(cfg: SweepConfig, ray: str | None) -> str:
    """The queue a sweep waits in: its device's, like a training run; "ray" when a cluster's address is given."""
    if ray and ray != "auto":  # `auto` starts a Ray on this machine: it uses this machine's cores
        return "ray"
    return "cpu" if cfg.backend == "numpy" else jobs.device_slot(cfg.device)


def sweeps_dir(root: Path | None = None) -> Path:
    """Where sweeps live: runs/sweeps (a folder without config.json, so the run lists skip it)."""
    return Path(root) if root else rundir.runs_dir() / FOLDER


def create(cfg: SweepConfig, name: str | None = None, root: Path | None = None, ray: str | None = None) -> Path:
    """A new sweep folder with its config and a "queued" status."""
    folder = rundir.create(sweeps_dir(root), "sweep")  # the one naming scheme of run folders
    store.write_json(folder / "config.json", {"sweep": cfg.to_dict(), "name": name or folder.name, "ray": ray})
    rundir.write_status(folder, RunState.QUEUED, submitted=time.time(), slot=slot(cfg, ray))
    return folder


def start(cfg: SweepConfig, name: str | None = None, root: Path | None = None, ray: str | None = None) -> Path:
    """Create a sweep and queue it: it starts now if its device is free, else when the job before it ends.
    Returns its folder."""
    folder = create(cfg, name, root, ray).resolve()
    jobs.tick(folder.parent.parent)
    return folder


def execute(folder: Path, data=None) -> dict:
    """Run the sweep in `folder` here (what `python -m sweep --out` does); returns the final status."""
    folder = Path(folder)
    raw = json.loads((folder / "config.json").read_text())
    cfg, asked = SweepConfig.from_dict(raw["sweep"]), {"stop": False}

    def ask_stop(signum, frame):
        asked["stop"] = True

    old = {s: signal.signal(s, ask_stop) for s in (signal.SIGTERM, signal.SIGINT)}
    log = open(folder / "metrics.jsonl", "a", buffering=1)
    rundir.write_status(folder, RunState.RUNNING, pid=os.getpid(), started=time.time())
    ended = {}

    def emit(event: dict) -> None:
        log.write(json.dumps(event) + "\n")
        if event["kind"] == "end":
            ended.update(event)

    try:
        rows = sweep(cfg, emit, lambda: asked["stop"] or (folder / "STOP").exists(), runner(raw.get("ray")), data)
    except Exception as e:  # noqa: BLE001 - any failure ends in a readable state
        rundir.write_status(folder, RunState.FAILED, error=f"{type(e).__name__}: {e}")
        raise
    finally:
        log.close()
        for s, handler in old.items():
            signal.signal(s, handler)
    rows = sorted(rows, key=lambda r: (r["k"], r["m"]))
    store.write_json(folder / "results.json", {"config": cfg.to_dict(), "rows": rows})
    rundir.write_status(folder, RunState.STOPPED if ended.get("stopped") else RunState.DONE, cells_done=len(rows),
                        seconds=ended.get("seconds"), best=best_row(rows, cfg.protocol))
    return rundir.read_status(folder)


def read(folder: Path) -> SweepInfo | None:
    """One sweep as it stands; a running (or starting) sweep whose process is gone reads "interrupted"."""
    folder = Path(folder)
    process.reap()
    try:
        raw = json.loads((folder / "config.json").read_text())
        cfg = SweepConfig.from_dict(raw["sweep"])
    except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError):
        return None
    status = rundir.read_status(folder)
    state = status.get("state", "unknown")
    claim = process.read_claim(folder) if state == RunState.QUEUED else None
    if state == RunState.RUNNING:
        gone = not process.alive(status.get("pid"), folder)
    elif claim is not None:  # being started, judged as a claimed run is
        gone = not process.starting(folder, claim)
    else:
        gone = False
    if gone:
        time.sleep(0.05)  # it may have written its final status just now
        status = rundir.read_status(folder)
        if status.get("state") in (RunState.QUEUED, RunState.RUNNING):
            keep = {k: v for k, v in status.items() if k not in ("state", "updated")}
            rundir.write_status(folder, RunState.INTERRUPTED, **keep)
            status = rundir.read_status(folder)
        state, claim = status["state"], None
    return SweepInfo(folder, raw.get("name") or folder.name, state, cfg, raw.get("ray"), status, claim is not None)


def list_sweeps(root: Path | None = None) -> list[SweepInfo]:
    """Every sweep, newest first."""
    root = sweeps_dir(root)
    if not root.exists():
        return []
    found = [s for d in root.iterdir() if d.is_dir() and (s := read(d)) is not None]
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
    folder = Path(folder)
    info = read(folder)
    if info is not None and info.waiting and jobs.cancel(folder):
        return
    process.ask_stop(folder, info.status.get("pid") if info and info.state == RunState.RUNNING else None)


def delete(folder: Path, root: Path | None = None) -> None:
    folder, root = Path(folder).resolve(), sweeps_dir(root).resolve()
    if folder.parent != root:
        raise ValueError(f"{folder} is not a sweep folder under {root}")
    info = read(folder)
    if info is not None and info.active:
        raise ValueError("this sweep is still running: stop it first")
    shutil.rmtree(folder, ignore_errors=True)


def train_fully(k: int, m: int, root: Path | None = None) -> Path:
    """Start a normal training run of one cell: preset seed004-mlp with k layers of m units."""
    cfg = get("seed004-mlp", k=k, m=m).train
    return jobs.submit(cfg, name=f"seed004 k={k} m={m}", root=root)


def wait(folder: Path, timeout_s: float = 120) -> SweepInfo:
    """Poll until the sweep has ended (for tests and scripts). Raises TimeoutError."""
    return process.wait_until(lambda: read(folder), lambda s: s is not None and not s.active, timeout_s, folder,
                              interval_s=0.2)

"""Training jobs: the CLI run as a subprocess on a run directory, queued per device (sweeps share the queue).

Everything is derived from the run directories on disk (status.json, a `claim` file, the pid), never
from memory, so any Streamlit session, a restarted server or a terminal sees the same queue:

- `submit` writes config.json and a "queued" status; `tick` starts the oldest queued jobs whose device
  has a free slot (`LIMITS`: one job per GPU and one on the CPU). Sweeps started from the Sweep page
  (sweep/job.py, in RUNS/sweeps/) wait in the same queues: a sweep and a training run never
  share the two cores of a classroom laptop, and each starts when the other ends. Whoever creates `claim` first with
  O_CREAT|O_EXCL starts the job, and a file lock (filelock) around `tick` keeps two sessions from filling
  one slot.
- A job is `python -m train --config RUN/config.json --quiet` in its own session (start_new_session),
  so it outlives a Streamlit rerun, a closed browser tab or a killed server. When it ends, the same shell
  runs `python -m jobs --tick`, so the queue moves on even when no page is open.
- `stop` asks for a graceful stop (a STOP file and SIGTERM): the engine finishes the step, saves a usable
  checkpoint and writes "stopped". `cancel` does the same for a job still waiting.
- A "running" status whose process is gone (killed, machine rebooted, pid reused) reads as "interrupted"
  and is rewritten so whenever runs are listed, so nothing stays "running" forever. Processes are looked
  up with psutil (jobs/process.py), so this holds on macOS as on Linux.
- A run folder with a damaged config.json or status.json is listed as "unknown" with a note saying what
  is wrong (and logged), so it can be seen and deleted; it never stops the listing of the others.
"""

from __future__ import annotations

import json
import logging
import numbers
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock

from jobs import folder as rundir
from jobs import process
from jobs.folder import ACTIVE, BUSY, FINAL, RunState
from model.presets import TrainConfig

LIMITS: dict[str, int] = {"cpu": 1}   # jobs at once per device slot; any other slot (cuda:0, mps) gets 1
log = logging.getLogger(__name__)


@dataclass
class RunInfo:
    folder: Path
    name: str
    preset: str
    state: RunState
    slot: str                   # the device queue it waits in: cpu, cuda:0, mps
    position: int | None        # 1 = next to start in its slot; None unless queued
    created: float              # submission time (seconds since the epoch)
    status: dict = field(default_factory=dict)   # status.json as read
    config: dict = field(default_factory=dict)   # config.json as read (with "name")

    @property
    def metrics(self) -> dict:
        m = self.status.get("metrics")
        return m if isinstance(m, dict) else {}

    @property
    def error(self) -> str | None:
        return _text(self.status.get("error"))

    @property
    def note(self) -> str | None:
        return _text(self.status.get("note"))

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    def launch(self, root: Path) -> bool:
        """Start this queued run (what `tick` does); False when another caller claimed it first."""
        folder = self.folder.resolve()
        return process.start(folder, [sys.executable, "-m", "train", "--config", str(folder / "config.json"),
                                      "--quiet"], root)


# ---------------------------------------------------------------------------------------------------
# where jobs run


def device_slot(device: str) -> str:
    """The queue a job waits in: 'cpu', 'cuda:N' or 'mps'. 'auto' resolves as the engine would."""
    if device == "auto":
        import torch  # only here: listing runs must not wait for CUDA initialisation
        if torch.cuda.is_available():
            return "cuda:0"
        mps = getattr(torch.backends, "mps", None)
        return "mps" if mps and mps.is_available() else "cpu"
    if device == "cuda":
        return "cuda:0"
    return device


def _limit(slot: str, limits: dict | None) -> int:
    return (limits or LIMITS).get(slot, 1)


# ---------------------------------------------------------------------------------------------------
def _text(v) -> str | None:
    return None if v is None else str(v)


# ---------------------------------------------------------------------------------------------------
# reading the state of every run


def _runs_root(root: Path | None) -> Path:
    return Path(root) if root else rundir.runs_dir()


def _read_config(folder: Path) -> tuple[dict | None, str | None]:
    """(config.json as a dict, None), (None, what is wrong with it), or (None, None) for a non-run folder."""
    try:
        config = json.loads((folder / "config.json").read_text())
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError) as e:
        return None, f"config.json cannot be read ({e})"
    return (config, None) if isinstance(config, dict) else (None, "config.json is not an object")


def read_run(folder: Path, fix: bool = True) -> RunInfo | None:
    """One run as it stands on disk; `fix` rewrites a dead "running" job as "interrupted".

    None for a folder that is not a run; a damaged one is an UNKNOWN run whose note says what is wrong."""
    folder = Path(folder)
    config, problem = _read_config(folder)
    if config is None and problem is None:
        return None
    status = rundir.read_status(folder)
    if problem:
        status = {**status, "state": RunState.UNKNOWN.value, "note": problem}
    if status["state"] == RunState.UNKNOWN and status.get("note"):
        log.warning("%s: %s", folder, status["note"])
    state = RunState(status["state"])
    if state == RunState.QUEUED and (claim := process.read_claim(folder)) is not None:
        if process.starting(folder, claim):
            state = RunState.STARTING
        else:
            status = _mark_dead(folder, status, fix, before_start=True)
            state = RunState(status["state"])
    elif state == RunState.RUNNING and not process.alive(status.get("pid"), folder):
        status = _mark_dead(folder, status, fix)
        state = RunState(status["state"])
    config = config or {}
    submitted = status.get("submitted")
    created = submitted if isinstance(submitted, numbers.Real) else _mtime(folder / "config.json")
    slot = status.get("slot") or config.get("device", "auto")  # a run started from a terminal has no slot
    slot = device_slot(slot) if isinstance(slot, str) else "cpu"
    name, preset = config.get("name") or folder.name, config.get("preset", "custom")
    return RunInfo(folder, str(name), str(preset), state, slot, None, float(created), status, config)


def _mark_dead(folder: Path, status: dict, fix: bool, before_start: bool = False) -> dict:
    """The job's process is gone without a final status: "interrupted", or "failed" with its log's last
    lines if it died before training started (e.g. a bad config)."""
    time.sleep(0.05)  # the job may have written its final status just after we read it: read once more
    if (again := rundir.read_status(folder)).get("state") != status.get("state"):
        return again
    if before_start and (tail := process.log_tail(folder)):
        new = {"state": RunState.FAILED.value, "error": tail, "slot": status.get("slot"),
               "submitted": status.get("submitted")}
    else:
        note = "the training process ended without saving (killed, or the machine restarted)"
        new = {**{k: v for k, v in status.items() if k not in ("state", "updated")},
               "state": RunState.INTERRUPTED.value, "note": note}
    if fix:
        state = new.pop("state")
        rundir.write_status(folder, state, **new)
        return rundir.read_status(folder)
    return {**new, "updated": time.time()}


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _runs(root: Path) -> list[RunInfo]:
    return [r for d in root.iterdir() if d.is_dir() and (r := read_run(d)) is not None] if root.exists() else []


def _sweeps(root: Path) -> list:
    from sweep import job as sweep_jobs  # sweep_jobs uses this module: imported here, not at the top
    return sweep_jobs.list_sweeps(root / sweep_jobs.FOLDER)


def _queue(runs: list, sweeps: list) -> list:
    """Queued runs and sweeps (not yet claimed), oldest first: the order `tick` starts them in."""
    waiting = [r for r in runs if r.state == RunState.QUEUED] + [s for s in sweeps if s.waiting]
    return sorted(waiting, key=lambda j: (j.created, j.folder.name))


def _places(runs: list, sweeps: list) -> dict[Path, int]:
    """{folder: place in its device's queue, 1 = next} for every waiting run and sweep."""
    out, ahead = {}, {}
    for job in _queue(runs, sweeps):
        ahead[job.slot] = ahead.get(job.slot, 0) + 1
        out[job.folder] = ahead[job.slot]
    return out


def _held(runs: list, sweeps: list) -> list[tuple[str, str]]:
    """(slot, name) of every run and sweep holding a device slot."""
    return [(r.slot, r.name) for r in runs if r.state in BUSY] + [(s.slot, s.name) for s in sweeps if s.busy]


@dataclass(frozen=True)
class Queue:
    places: dict[Path, int]  # each waiting run or sweep: its place in its device's queue, 1 = next
    holders: dict[str, str]  # each busy slot: the name of the run or sweep holding it


def queue(root: Path | None = None) -> Queue:
    """The queues as they stand, from one reading of the runs and sweeps: for telling a waiting job where
    it is and what it waits for."""
    root = _runs_root(root)
    runs, sweeps = _runs(root), _sweeps(root)
    return Queue(_places(runs, sweeps), dict(_held(runs, sweeps)))


def list_runs(root: Path | None = None) -> list[RunInfo]:
    """Every run directory, newest first, with queue positions filled in for queued jobs.

    Listing is also what rewrites dead "running" jobs as "interrupted" (the server, a page or a terminal
    that lists runs after a crash or a reboot finds them so)."""
    process.reap()
    root = _runs_root(root)
    runs = _runs(root)
    places = _places(runs, _sweeps(root))
    for r in runs:
        r.position = places.get(r.folder)
    return sorted(runs, key=lambda r: (r.created, r.folder.name), reverse=True)


# ---------------------------------------------------------------------------------------------------
# actions


def submit(cfg: TrainConfig, name: str | None = None, root: Path | None = None, start: bool = True,
           limits: dict | None = None) -> Path:
    """Queue `cfg` in a new run directory and start it if its device is free. Returns the folder."""
    root = _runs_root(root)
    folder = rundir.create(root, cfg.preset)
    rundir.prepare(folder, cfg, name=name or folder.name, submitted=time.time(), slot=device_slot(cfg.device))
    if start:
        tick(root, limits)
    return folder


def _scheduler_lock(root: Path) -> FileLock:
    """One `tick` at a time across every process sharing `root` (sessions, servers, terminals)."""
    return FileLock(root / ".scheduler.lock")


def tick(root: Path | None = None, limits: dict | None = None) -> list[Path]:
    """Start the oldest queued jobs (runs and sweeps) for which a device slot is free; return their folders."""
    root = _runs_root(root)
    if not root.exists():
        return []
    started = []
    with _scheduler_lock(root):
        runs, sweeps = list_runs(root), _sweeps(root)
        busy: dict[str, int] = {}
        for slot, _ in _held(runs, sweeps):
            busy[slot] = busy.get(slot, 0) + 1
        for job in _queue(runs, sweeps):
            if busy.get(job.slot, 0) >= _limit(job.slot, limits):
                continue
            if job.launch(root):
                busy[job.slot] = busy.get(job.slot, 0) + 1
                started.append(job.folder)
    return started


def stop(folder: Path) -> str:
    """Ask a job to stop gracefully (it saves a usable checkpoint); cancel it if still queued.

    Returns the state it is in or heading for: 'stopping', 'stopped' (cancelled) or its final state."""
    folder = Path(folder)
    run = read_run(folder)
    if run is None or not run.active:
        return run.state.value if run else "missing"
    if run.state == RunState.QUEUED and cancel(folder):
        return RunState.STOPPED.value
    process.ask_stop(folder, run.status.get("pid") if run.state == RunState.RUNNING else None)
    return "stopping"


def cancel(folder: Path) -> bool:
    """Cancel a queued job before it starts: True if it will never run, False if it already started."""
    folder = Path(folder)
    if rundir.read_status(folder).get("state") != RunState.QUEUED or not process.take_claim(folder):
        return False
    old = rundir.read_status(folder)
    rundir.write_status(folder, RunState.STOPPED, note="cancelled before it started",
                        submitted=old.get("submitted"), slot=old.get("slot"))
    return True


def delete(folder: Path, root: Path | None = None) -> None:
    """Remove a run directory; a waiting job is cancelled first, a running one must be stopped first."""
    folder, root = Path(folder).resolve(), _runs_root(root).resolve()
    if folder.parent != root:
        raise ValueError(f"{folder} is not a run directory under {root}")
    run = read_run(folder)
    if run is not None and run.state == RunState.QUEUED:
        cancel(folder)
        run = read_run(folder)
    if run is not None and run.state in BUSY:
        raise ValueError("this run is still training: stop it first")
    shutil.rmtree(folder, ignore_errors=True)


def wait(folder: Path, timeout_s: float = 60, states=FINAL) -> RunInfo:
    """Poll until the job reaches one of `states` (for tests and scripts). Raises TimeoutError."""
    return process.wait_until(lambda: read_run(folder), lambda r: r is not None and r.state in states,
                              timeout_s, folder)

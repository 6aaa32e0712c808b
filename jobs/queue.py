"""One queue of jobs, per device slot, that knows no kind: runs and sweeps register with it (`register`).

Everything is read back from the job folders on disk, never from memory, so any Streamlit session, a
restarted server or a terminal sees the same queue:

- `submit` writes a job folder: the kind's config, the job record (job.json: kind, name, slot, submitted,
  the command to run, the wall-time limit) and a "queued" status; past `MAX_WAITING` waiting jobs it is
  refused (`QueueFull`, a sentence). `tick` starts the oldest waiting jobs whose slot is free (`LIMITS`:
  one job on the CPU and one per GPU), a sweep and a training run alike. Whoever creates `claim` first
  (O_CREAT|O_EXCL) starts the job's supervisor (jobs/supervisor.py), and a file lock around `tick` keeps
  two sessions from filling one slot.
- Reads are pure (jobs/record.py: `read`, `snapshot`): no write, no sleep. A job whose processes are gone
  without a final status reads as jobs/harness.py's `ended` says (interrupted, or failed if it never
  started); `tick`, under the lock, writes that down.
- `stop` asks for a graceful stop (the STOP file; SIGTERM on POSIX); a waiting job is cancelled.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from jobs import harness, process
from jobs.folder import FINAL, RECORD, RunState, create, read_status, write_json, write_status
from jobs.record import Job, Snapshot, read, runs_root, snapshot  # the reading side, also jobs.queue.*

LIMITS: dict[str, int] = {"cpu": 1}   # jobs at once per device slot; any other slot (cuda:0, mps, ray) gets 1
MAX_WAITING = 50                      # waiting jobs, all slots together: more is refused with a sentence
HOURS = "DIGITLAB_JOB_HOURS"          # the wall-time limit of a job queued from now on, in hours; 0: none
DEFAULT_HOURS = 12.0
log = logging.getLogger(__name__)


class QueueFull(ValueError):
    def __init__(self, waiting: int):
        self.waiting = waiting
        super().__init__(f"the queue is full: {waiting} jobs are waiting already; cancel some, or start this "
                         "one when they have run")


class JobBusy(ValueError):
    def __init__(self, name: str):
        self.name = name
        super().__init__(f"“{name}” is still running: stop it first")


@dataclass(frozen=True)
class Kind:
    """A kind of job: where its folders live under the runs directory, and what runs one."""
    name: str                                   # "run", "sweep"
    folder: str                                 # "" (the runs directory itself), "sweeps"
    command: Callable[[Path], list[str]]        # `python -m` arguments for a folder
    env: Callable[[Path], dict[str, str]] = lambda folder: {}


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


def time_limit_s(environ=None) -> float | None:
    """A job's wall-time limit, from $DIGITLAB_JOB_HOURS (default 12 h; 0 for none)."""
    raw = (os.environ if environ is None else environ).get(HOURS, "")
    try:
        hours = float(raw) if raw.strip() else DEFAULT_HOURS
    except ValueError:
        log.warning("%s=%r is not a number of hours: using %g", HOURS, raw, DEFAULT_HOURS)
        hours = DEFAULT_HOURS
    return hours * 3600 if hours > 0 else None


queue = snapshot  # the Sweep page asks `jobs.queue(root)` for places and holders


# ---------------------------------------------------------------------------------------------------
# actions


def submit(kind: str, write: Callable[[Path], None], prefix: str, name: str | None = None, slot: str = "cpu",
           root: Path | None = None, start: bool = True, limits: dict | None = None, limit_s: float | None = None,
           cap: int | None = None) -> Path:
    """Queue a job of a registered kind in a new folder (named after `prefix`), `write` putting its config
    there, and start it if its slot is free. Returns the folder. Raises QueueFull past `cap` waiting jobs
    (default MAX_WAITING)."""
    k, root = KINDS[kind], runs_root(root)
    if (waiting := len(snapshot(root).places)) >= (MAX_WAITING if cap is None else cap):
        raise QueueFull(waiting)
    folder = create(root / k.folder if k.folder else root, prefix)
    write(folder)
    write_json(folder / RECORD, {"kind": kind, "name": name or folder.name, "slot": slot, "submitted": time.time(),
                                 "command": k.command(folder.resolve()), "env": k.env(folder),
                                 "limit_s": time_limit_s() if limit_s is None else (limit_s or None)})
    write_status(folder, RunState.QUEUED)  # last: only now does a `tick` see a waiting job
    if start:
        tick(root, limits)
    return folder


def tick(root: Path | None = None, limits: dict | None = None) -> list[Path]:
    """Write down the end of every job whose processes are gone, then start the oldest waiting jobs for
    which a slot is free; return the folders started."""
    root = runs_root(root)
    if not root.exists():
        return []
    with FileLock(root / ".scheduler.lock"):  # one tick at a time, across every process sharing `root`
        process.reap()
        snap = snapshot(root)
        for job in snap.jobs:
            if job.gone:
                harness.record_end(job.folder, {k: v for k, v in job.status.items() if k != "updated"})
        started = [job.folder for job in _startable(snap, limits) if process.start(job.folder, root)]
    return started


def _startable(snap: Snapshot, limits: dict | None) -> list[Job]:
    """The waiting jobs that would start now, oldest first, as many per slot as the slot has room for."""
    busy: dict[str, int] = {}
    for job in snap.jobs:
        if job.busy:
            busy[job.slot] = busy.get(job.slot, 0) + 1
    out = []
    for job in sorted((j for j in snap.jobs if j.waiting), key=lambda j: (j.created, j.folder.name)):
        if busy.get(job.slot, 0) < (limits or LIMITS).get(job.slot, 1):
            busy[job.slot] = busy.get(job.slot, 0) + 1
            out.append(job)
    return out


def refresh(root: Path | None = None, limits: dict | None = None) -> Snapshot:
    """A page's snapshot of the queue, ticking first only when the queue has work for `tick` (a job to
    start, or an end to write down): a refresh with nothing to do costs one reading, and no lock."""
    snap = snapshot(root)
    if any(j.gone for j in snap.jobs) or _startable(snap, limits):
        tick(root, limits)
        snap = snapshot(root)
    return snap


def stop(folder: Path) -> str:
    """Ask a job to stop gracefully (it saves what it has); cancel it if still waiting.

    Returns the state it is in or heading for: 'stopping', 'stopped' (cancelled) or its final state."""
    job = read(folder)
    if job is None or not job.active:
        return job.state.value if job else "missing"
    if job.state == RunState.QUEUED and cancel(folder):
        return RunState.STOPPED.value
    process.ask_stop(Path(folder), job.status if job.state == RunState.RUNNING else None)
    return "stopping"


def cancel(folder: Path) -> bool:
    """Cancel a waiting job before it starts: True if it will never run, False if it already started."""
    folder = Path(folder)
    if read_status(folder).get("state") != RunState.QUEUED or not process.take_claim(folder):
        return False
    write_status(folder, RunState.STOPPED, note="cancelled before it started")
    return True


def delete(folder: Path, parent: Path) -> None:
    """Remove a job's folder, one of `parent`'s; a waiting job is cancelled first, a running one must be
    stopped first (JobBusy, naming it). Errors name the job, never a path of the server."""
    folder = Path(folder)
    if folder.resolve().parent != Path(parent).resolve():
        raise ValueError(f"“{folder.name}” is not one of the jobs listed here")
    job = read(folder)
    if job is not None and job.state == RunState.QUEUED:
        cancel(folder)
        job = read(folder)
    if job is not None and job.busy:
        raise JobBusy(job.name)
    shutil.rmtree(folder, ignore_errors=True)


def wait(folder: Path, timeout_s: float = 60, states=FINAL) -> Job:
    """Poll until the job reaches one of `states` (for tests and scripts). Raises TimeoutError."""
    return process.wait_until(lambda: read(folder), lambda j: j is not None and j.state in states, timeout_s, folder)

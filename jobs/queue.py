"""One queue of jobs, per device slot, that knows no kind: runs and sweeps register with it (`register`).

Everything is read back from the job folders on disk, never from memory, so any Streamlit session, a
restarted server or a terminal sees the same queue:

- `submit` writes a job folder: the kind's config, the job record (job.json: kind, name, slot, submitted,
  the command to run, the wall-time limit) and a "queued" status; past `MAX_WAITING` waiting jobs it is
  refused (`QueueFull`, a sentence). `tick` starts the oldest waiting jobs whose slot is free (`LIMITS`:
  one job on the CPU and one per GPU), a sweep and a training run alike. Whoever creates `claim` first
  (O_CREAT|O_EXCL) starts the job's supervisor (jobs/supervisor.py), and a file lock around `tick` keeps
  two sessions from filling one slot.
- Reads are pure: `read` and `snapshot` never write and never sleep. A job whose processes are gone
  without a final status reads as jobs/harness.py's `ended` says (interrupted, or failed if it never
  started); `tick`, under the lock, writes that down.
- `stop` asks for a graceful stop (the STOP file; SIGTERM on POSIX); a waiting job is cancelled.
- A folder with a damaged config.json or status.json is listed as "unknown" with a note saying what is
  wrong (and logged), so it can be seen and deleted; it never stops the listing of the others.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock

from jobs import harness, process
from jobs.folder import (
    ACTIVE,
    BUSY,
    FINAL,
    RECORD,
    RunState,
    create,
    read_json,
    read_status,
    runs_dir,
    write_json,
    write_status,
)

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


@dataclass
class Job:
    folder: Path
    kind: str
    name: str
    state: RunState
    slot: str                   # the device queue it waits in: cpu, cuda:0, mps, ray
    created: float              # submission time (seconds since the epoch)
    status: dict = field(default_factory=dict)   # status.json as read (or as `tick` will write it: `gone`)
    config: dict = field(default_factory=dict)   # config.json as read
    record: dict = field(default_factory=dict)   # job.json as read
    position: int | None = None  # 1 = next to start in its slot; None unless waiting
    gone: bool = False           # its processes are gone without a final status: `tick` writes `status`

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
    def preset(self) -> str:
        return str(self.config.get("preset", "custom"))

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    @property
    def waiting(self) -> bool:  # in its slot's queue, not yet claimed by a `tick`
        return self.state == RunState.QUEUED

    @property
    def busy(self) -> bool:  # holds its slot
        return self.state in BUSY

    @property
    def time_limited(self) -> bool:  # stopped by its wall-time limit (the checkpoint, or the rows, kept)
        return self.state == RunState.STOPPED and self.status.get("stopped_by") == "time limit"


def _text(v) -> str | None:
    return None if v is None else str(v)


def _root(root: Path | None) -> Path:
    return Path(root) if root else runs_dir()


def time_limit_s(environ=None) -> float | None:
    """A job's wall-time limit, from $DIGITLAB_JOB_HOURS (default 12 h; 0 for none)."""
    raw = (os.environ if environ is None else environ).get(HOURS, "")
    try:
        hours = float(raw) if raw.strip() else DEFAULT_HOURS
    except ValueError:
        log.warning("%s=%r is not a number of hours: using %g", HOURS, raw, DEFAULT_HOURS)
        hours = DEFAULT_HOURS
    return hours * 3600 if hours > 0 else None


# ---------------------------------------------------------------------------------------------------
# reading (pure)


def _slot(record: dict, status: dict, config: dict) -> str:
    for slot in (record.get("slot"), status.get("slot")):  # status.json held it before job.json existed
        if isinstance(slot, str):
            return slot
    device = config.get("device")  # a run from a terminal: its device, as far as it is known without torch
    return {"cuda": "cuda:0", "auto": "cpu"}.get(device, device) if isinstance(device, str) else "cpu"


def _judge(folder: Path, status: dict) -> tuple[RunState, dict, bool]:
    """(state, status, gone) of a job whose status.json says `status`: alive or not, by its processes."""
    for _ in range(2):  # a process found gone has written all it will: read the status once more
        state = RunState(status["state"])
        claim = process.read_claim(folder) if state in (RunState.QUEUED, RunState.RUNNING) else None
        if state == RunState.QUEUED:
            if claim is None:
                return state, status, False
            if process.starting(folder, claim):
                return RunState.STARTING, status, False
        elif state == RunState.RUNNING:
            if process.alive(status) or (claim and process.alive(claim)):
                return state, status, False
        else:
            return state, status, False
        again = read_status(folder)
        if again.get("state") == status.get("state"):
            end = {**harness.ended(folder, status), "updated": time.time()}
            return RunState(end["state"]), end, True
        status = again
    return RunState(status["state"]), status, False


def read(folder: Path) -> Job | None:
    """One job as it stands on disk, without writing anything. None for a folder that is not a job; a
    damaged one is an UNKNOWN job whose note says what is wrong."""
    folder = Path(folder)
    record, _ = read_json(folder / RECORD)
    config, problem = read_json(folder / "config.json")
    if config is None and problem is None and record is None:
        return None
    status = read_status(folder)
    if problem:
        status = {**status, "state": RunState.UNKNOWN.value, "note": problem}
    if status["state"] == RunState.UNKNOWN and status.get("note"):
        log.warning("%s: %s", folder, status["note"])
    state, status, gone = _judge(folder, status)
    record, config = record or {}, config or {}
    submitted = record.get("submitted", status.get("submitted"))
    if not isinstance(submitted, int | float) or isinstance(submitted, bool):
        try:
            submitted = (folder / "config.json").stat().st_mtime
        except OSError:
            submitted = 0.0
    name = record.get("name") or config.get("name") or folder.name
    return Job(folder, str(record.get("kind", "")), str(name), state, _slot(record, status, config),
               float(submitted), status, config, record, gone=gone)


def _folders(root: Path) -> list[Path]:
    """Job folders: the runs directory's own, and those one level down in a folder that is no job itself
    (runs/sweeps/): the queue finds every kind's jobs without knowing the kinds."""
    if not root.is_dir():
        return []
    out = []
    for d in root.iterdir():
        if not d.is_dir():
            continue
        if any((d / f).exists() for f in (RECORD, "config.json", "status.json")):
            out.append(d)
        else:
            out += [e for e in d.iterdir() if e.is_dir()]
    return out


@dataclass(frozen=True)
class Snapshot:
    """Every job as one reading of the disk found them, newest first: taken once per page refresh and
    handed to every card."""
    jobs: tuple[Job, ...]
    places: dict[Path, int]  # each waiting job: its place in its slot's queue, 1 = next
    holders: dict[str, str]  # each busy slot: the name of the job holding it

    def under(self, parent: Path) -> list[Job]:
        """The jobs whose folders are in `parent` (the runs directory: runs; runs/sweeps: sweeps)."""
        parent = Path(parent)
        return [j for j in self.jobs if j.folder.parent == parent]

    def get(self, folder: Path) -> Job | None:
        return next((j for j in self.jobs if j.folder == Path(folder)), None)


def snapshot(root: Path | None = None) -> Snapshot:
    """Every job under the runs directory, with waiting jobs numbered per slot, from one reading."""
    found = [j for d in _folders(_root(root)) if (j := read(d)) is not None]
    waiting = sorted((j for j in found if j.waiting), key=lambda j: (j.created, j.folder.name))
    places, ahead = {}, {}
    for j in waiting:
        ahead[j.slot] = ahead.get(j.slot, 0) + 1
        j.position = places[j.folder] = ahead[j.slot]
    holders = {j.slot: j.name for j in found if j.busy}
    return Snapshot(tuple(sorted(found, key=lambda j: (j.created, j.folder.name), reverse=True)), places, holders)


queue = snapshot  # the Sweep page asks `jobs.queue(root)` for places and holders


# ---------------------------------------------------------------------------------------------------
# actions


def submit(kind: str, write: Callable[[Path], None], prefix: str, name: str | None = None, slot: str = "cpu",
           root: Path | None = None, start: bool = True, limits: dict | None = None, limit_s: float | None = None,
           cap: int | None = None) -> Path:
    """Queue a job of a registered kind in a new folder (named after `prefix`), `write` putting its config
    there, and start it if its slot is free. Returns the folder. Raises QueueFull past `cap` waiting jobs
    (default MAX_WAITING)."""
    k, root = KINDS[kind], _root(root)
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
    root = _root(root)
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

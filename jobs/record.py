"""The job record as the queue reads it: `Job`, one job (`read`), and every job at once (`snapshot`).

Reads are pure: nothing here writes a file or sleeps. A job whose processes are gone without a final
status reads as jobs/harness.py's `ended` says, with `gone` set, and jobs/queue.py's `tick` writes that
down under its lock. A folder with a damaged config.json or status.json is an "unknown" job whose note
says what is wrong (and is logged), so it can be seen and deleted; it never stops a listing.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from jobs import harness, process
from jobs.folder import ACTIVE, BUSY, RECORD, RunState, read_json, read_status, runs_dir

log = logging.getLogger(__name__)


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


def runs_root(root: Path | None) -> Path:
    return Path(root) if root else runs_dir()


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
            continue
        try:
            out += [e for e in d.iterdir() if e.is_dir()]
        except OSError:  # deleted while we looked
            continue
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
    found = [j for d in _folders(runs_root(root)) if (j := read(d)) is not None]
    waiting = sorted((j for j in found if j.waiting), key=lambda j: (j.created, j.folder.name))
    places, ahead = {}, {}
    for j in waiting:
        ahead[j.slot] = ahead.get(j.slot, 0) + 1
        j.position = places[j.folder] = ahead[j.slot]
    holders = {j.slot: j.name for j in found if j.busy}
    return Snapshot(tuple(sorted(found, key=lambda j: (j.created, j.folder.name), reverse=True)), places, holders)

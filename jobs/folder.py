"""A job folder (docs/ARCHITECTURE.md, "Run folder"): job.json, status.json, metrics.jsonl, then results.

What every job folder has, whatever its kind (a training run, a sweep): where they live (`runs_dir`), how
a new one is named (`create`), its states (`RunState`), its record, its status file and its events. What
runs in a folder is the kind's business (train/run.py, sweep/job.py). This module imports no torch:
reading a status costs a file read, not a torch import.
"""

from __future__ import annotations

import json
import os
import time
from enum import StrEnum
from pathlib import Path

from model.paths import REPO


class RunState(StrEnum):
    """A job's state. The first six are written to status.json; STARTING and UNKNOWN are only read:
    a queued job whose process is being started, and a status file that cannot be read."""
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    STOPPED = "stopped"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    STARTING = "starting"
    UNKNOWN = "unknown"


ACTIVE = frozenset({RunState.QUEUED, RunState.STARTING, RunState.RUNNING})  # may still change on its own
BUSY = frozenset({RunState.STARTING, RunState.RUNNING})                     # holds a device slot
FINAL = frozenset({RunState.DONE, RunState.STOPPED, RunState.FAILED, RunState.INTERRUPTED})
WITH_MODEL = frozenset({RunState.DONE, RunState.STOPPED})                    # ended with a usable checkpoint
WRITTEN = frozenset(RunState) - {RunState.STARTING, RunState.UNKNOWN}
RECORD = "job.json"  # the job record: kind, name, slot, submitted, command, time limit (jobs/queue.py)


def runs_dir() -> Path:
    """Where runs live: $DIGITLAB_RUNS, or runs/ in the repository."""
    return Path(os.environ.get("DIGITLAB_RUNS", REPO / "runs"))


def create(root: Path, prefix: str) -> Path:
    """A new, empty folder under `root`, named <date>-<time>-<prefix>[-N]. mkdir is atomic, so two jobs
    started in the same second, in any process, get different folders."""
    root.mkdir(parents=True, exist_ok=True)
    base = time.strftime("%Y%m%d-%H%M%S") + f"-{prefix}"
    for i in range(1000):
        folder = root / (base if i == 0 else f"{base}-{i + 1}")
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
    raise FileExistsError(f"{root.name}: 1,000 jobs named {base} already")


def holds_run(folder: Path) -> bool:
    """Does `folder` already hold a run or a checkpoint (so that training into it would replace something)?"""
    return any((Path(folder) / f).exists() for f in ("config.json", "status.json", "metrics.jsonl",
                                                     "model.json", "model.safetensors"))


def write_json(path: Path, obj) -> None:
    """Atomic JSON write: a reader sees the old file or the new one, never half of one; on a failure (a
    full disk) the temporary file is removed and the error raised. (model.store has its own for
    checkpoints; it imports torch, which reading or writing a status must not.)"""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(obj, indent=1, ensure_ascii=False))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_json(path: Path) -> tuple[dict | None, str | None]:
    """(the file as a dict, None), (None, what is wrong with it), or (None, None) when it does not exist."""
    try:
        value = json.loads(Path(path).read_text())
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError) as e:
        return None, f"{Path(path).name} cannot be read ({e})"
    return (value, None) if isinstance(value, dict) else (None, f"{Path(path).name} is not an object")


def write_status(folder: Path, state: RunState | str, **extra) -> None:
    state = RunState(state)
    if state not in WRITTEN:  # a derived state is never written (raised, not asserted: `python -O` keeps it)
        raise ValueError(f"{state} is a derived state, never written to status.json")
    write_json(Path(folder) / "status.json", {"state": state.value, "updated": time.time(), **extra})


def read_status(folder: Path) -> dict:
    """status.json as a dict whose "state" is a RunState value; "unknown" when it is missing, and with a
    note saying why when it is damaged (callers log it), so one bad file never stops a listing."""
    try:
        status = json.loads((Path(folder) / "status.json").read_text())
    except FileNotFoundError:
        return {"state": RunState.UNKNOWN.value}
    except (OSError, ValueError) as e:
        return {"state": RunState.UNKNOWN.value, "note": f"status.json cannot be read ({e})"}
    if not isinstance(status, dict) or status.get("state") not in {s.value for s in WRITTEN}:
        return {"state": RunState.UNKNOWN.value, "note": "status.json is damaged"}
    return status


def read_events(folder: Path, offset: int = 0) -> tuple[list[dict], int]:
    """Events appended since byte `offset`, and the new offset. A half-written last line waits; a line
    that is not a JSON object with a "kind" (a damaged file) is left out."""
    path = Path(folder) / "metrics.jsonl"
    if not path.exists():
        return [], offset
    with open(path, "rb") as f:
        f.seek(offset)
        chunk = f.read()
    end = chunk.rfind(b"\n") + 1
    events = []
    for line in chunk[:end].splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and isinstance(event.get("kind"), str):
            events.append(event)
    return events, offset + end

"""A run directory (docs/ARCHITECTURE.md): config.json, metrics.jsonl, status.json, then the checkpoint.

Everything that knows what a run is lives here: where runs are (`runs_dir`), how a new run's folder is
named (`create`), its states (`RunState`) and its status file. What runs in a run folder is
train/run.py's `execute`.
"""

from __future__ import annotations

import json
import os
import time
from enum import StrEnum
from pathlib import Path

from model import store
from model.paths import REPO
from model.presets import TrainConfig, train_config_from_dict, train_config_to_dict


class RunState(StrEnum):
    """A run's state. The first six are written to status.json; STARTING and UNKNOWN are only read:
    a queued run whose process is being started, and a status file that cannot be read."""
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


def runs_dir() -> Path:
    """Where runs live: $DIGITLAB_RUNS, or runs/ in the repository."""
    return Path(os.environ.get("DIGITLAB_RUNS", REPO / "runs"))


def create(root: Path, preset: str) -> Path:
    """A new, empty run folder under `root`, named <date>-<time>-<preset>[-N]. mkdir is atomic, so two runs
    started in the same second, in any process, get different folders."""
    root.mkdir(parents=True, exist_ok=True)
    base = time.strftime("%Y%m%d-%H%M%S") + f"-{preset}"
    for i in range(1000):
        folder = root / (base if i == 0 else f"{base}-{i + 1}")
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
    raise FileExistsError(f"{root}: 1,000 runs named {base} already")


def holds_run(folder: Path) -> bool:
    """Does `folder` already hold a run or a checkpoint (so that training into it would replace something)?"""
    return any((Path(folder) / f).exists() for f in ("config.json", "status.json", "metrics.jsonl",
                                                     "model.json", "model.safetensors"))


def write_status(folder: Path, state: RunState | str, **extra) -> None:
    state = RunState(state)
    assert state in WRITTEN, state
    store.write_json(Path(folder) / "status.json", {"state": state.value, "updated": time.time(), **extra})


def read_status(folder: Path) -> dict:
    """status.json as a dict whose "state" is a RunState value; "unknown" when it is missing, and with a
    note saying why when it is damaged (callers log it), so one bad file never stops a listing."""
    path = Path(folder) / "status.json"
    try:
        status = json.loads(path.read_text())
    except FileNotFoundError:
        return {"state": RunState.UNKNOWN.value}
    except (OSError, ValueError) as e:
        return {"state": RunState.UNKNOWN.value, "note": f"status.json cannot be read ({e})"}
    if not isinstance(status, dict) or status.get("state") not in {s.value for s in WRITTEN}:
        return {"state": RunState.UNKNOWN.value, "note": "status.json is damaged"}
    return status


def read_config(folder: Path) -> tuple[TrainConfig, str]:
    """The run's TrainConfig and display name (prepare() stores the name beside the config fields)."""
    raw = json.loads((Path(folder) / "config.json").read_text())
    name = raw.pop("name", Path(folder).name)
    return train_config_from_dict(raw), name


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


def prepare(folder: Path, cfg: TrainConfig, name: str | None = None, **status) -> Path:
    """Write config.json and a 'queued' status (with `status` fields) into the run directory, and start a
    fresh metrics.jsonl: a run's history is never appended to another's."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    store.write_json(folder / "config.json", {**train_config_to_dict(cfg), "name": name or folder.name})
    (folder / "metrics.jsonl").unlink(missing_ok=True)
    write_status(folder, RunState.QUEUED, **status)
    return folder

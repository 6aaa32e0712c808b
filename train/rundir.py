"""A run directory (docs/ARCHITECTURE.md): config.json, metrics.jsonl, status.json, then the checkpoint.

`execute` is what `python -m train` does: it runs the engine with events appended to metrics.jsonl
as they happen, turns SIGTERM/SIGINT into a graceful stop that still saves a usable checkpoint, and
records the final state. The app's jobs and a terminal start exactly this.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from model import store
from model.presets import TrainConfig, train_config_from_dict, train_config_to_dict
from train.engine import TrainingError, train

STATES = ("queued", "running", "done", "stopped", "failed", "interrupted")


def write_status(folder: Path, state: str, **extra) -> None:
    assert state in STATES, state
    store.write_json(Path(folder) / "status.json", {"state": state, "updated": time.time(), **extra})


def read_status(folder: Path) -> dict:
    try:
        return json.loads((Path(folder) / "status.json").read_text())
    except (OSError, json.JSONDecodeError):
        return {"state": "unknown"}


def read_config(folder: Path) -> tuple[TrainConfig, str]:
    """The run's TrainConfig and display name (prepare() stores the name beside the config fields)."""
    raw = json.loads((Path(folder) / "config.json").read_text())
    name = raw.pop("name", Path(folder).name)
    return train_config_from_dict(raw), name


def read_events(folder: Path, offset: int = 0) -> tuple[list[dict], int]:
    """Events appended since byte `offset`, and the new offset. A half-written last line waits."""
    path = Path(folder) / "metrics.jsonl"
    if not path.exists():
        return [], offset
    with open(path, "rb") as f:
        f.seek(offset)
        chunk = f.read()
    end = chunk.rfind(b"\n") + 1
    events = [json.loads(line) for line in chunk[:end].splitlines() if line.strip()]
    return events, offset + end


def prepare(folder: Path, cfg: TrainConfig, name: str | None = None) -> Path:
    """Create the run directory with its config.json and a 'queued' status."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    store.write_json(folder / "config.json", {**train_config_to_dict(cfg), "name": name or folder.name})
    write_status(folder, "queued")
    return folder


def execute(folder: Path, on_event: Callable[[dict], None] | None = None, data=None) -> dict:
    """Train the run in `folder`; return the final status dict. Never raises for a training failure."""
    folder = Path(folder)
    cfg, name = read_config(folder)
    stop = {"asked": False}

    def ask_stop(signum, frame):  # finish the current step, then save
        stop["asked"] = True

    old = {s: signal.signal(s, ask_stop) for s in (signal.SIGTERM, signal.SIGINT)}
    log = open(folder / "metrics.jsonl", "a", buffering=1)
    write_status(folder, "running", pid=os.getpid(), started=time.time())

    def emit(event: dict) -> None:
        log.write(json.dumps(event) + "\n")
        log.flush()
        if on_event:
            on_event(event)

    try:
        result = train(cfg, on_event=emit, should_stop=lambda: stop["asked"] or _stop_file(folder), data=data)
    except TrainingError as e:
        write_status(folder, "failed", error=str(e))
        return read_status(folder)
    except Exception as e:  # noqa: BLE001 - an unexpected failure still ends in a readable state
        write_status(folder, "failed", error=f"{type(e).__name__}: {e}")
        raise
    finally:
        log.close()
        for s, handler in old.items():
            signal.signal(s, handler)
    store.save(folder, result.model, cfg.model, name=name, preset=cfg.preset, metrics=result.metrics,
               history=result.history, train_config=train_config_to_dict(cfg),
               data_split={"train": result.metrics.get("n_train"), "val_size": cfg.val_size, "seed": cfg.seed,
                           "subset": cfg.subset},
               device=result.metrics["device_name"], seconds=result.metrics["seconds"],
               command=" ".join(["python -m train", *sys.argv[1:]]) if sys.argv else None)
    write_status(folder, "stopped" if result.stopped else "done", metrics=result.metrics)
    return read_status(folder)


def _stop_file(folder: Path) -> bool:
    """A STOP file in the run directory asks for a graceful stop (works across machines and OSes)."""
    return (folder / "STOP").exists()


def new_run_id(preset: str) -> str:
    return time.strftime("%Y%m%d-%H%M%S") + f"-{preset}-{os.getpid() % 10000:04d}"


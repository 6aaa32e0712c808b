"""Training in a run folder: what `python -m train` does (the app's jobs and a terminal start exactly this).

`execute` runs the engine with events appended to metrics.jsonl as they happen, turns SIGTERM/SIGINT into a
graceful stop that still saves a usable checkpoint, and records the final state, "failed: disk full"
included.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from jobs.folder import RunState, read_config, read_status, write_status
from model import store
from model.presets import train_config_to_dict
from train import heldout
from train.engine import TrainingError, train


def _disk_full(e: BaseException) -> bool:
    return isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT)


def execute(folder: Path, on_event: Callable[[dict], None] | None = None, data=None) -> dict:
    """Train the run in `folder`; return the final status dict. Never raises for a training failure, nor for
    a full disk: the run ends "failed" with the reason, and a checkpoint already there stays intact."""
    folder = Path(folder)
    cfg, name = read_config(folder)
    stop = {"asked": False}

    def ask_stop(signum, frame):  # finish the current step, then save
        stop["asked"] = True

    old = {s: signal.signal(s, ask_stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        write_status(folder, RunState.RUNNING, pid=os.getpid(), started=time.time())
        with open(folder / "metrics.jsonl", "a", buffering=1) as log_file:
            def emit(event: dict) -> None:
                log_file.write(json.dumps(event) + "\n")
                log_file.flush()
                if on_event:
                    on_event(event)

            drawings = heldout.class_drawings(cfg.class_drawings)  # the engine reads no file itself
            result = train(cfg, on_event=emit, should_stop=lambda: stop["asked"] or _stop_file(folder), data=data,
                           drawings=drawings, baseline=heldout.shipped_model(cfg.model.kind) if drawings else None)
        store.save(folder, result.model, cfg.model, name=name, preset=cfg.preset, metrics=result.metrics,
                   history=result.history, train_config=train_config_to_dict(cfg),
                   data_split={"train": result.metrics.get("n_train"), "val_size": cfg.val_size, "seed": cfg.seed,
                               "subset": cfg.subset, "class_drawing_ids": result.class_drawing_ids},
                   device=result.metrics["device_name"], seconds=result.metrics["seconds"],
                   command=" ".join(["python -m train", *sys.argv[1:]]) if sys.argv else None)
        write_status(folder, RunState.STOPPED if result.stopped else RunState.DONE, metrics=result.metrics)
    except TrainingError as e:
        write_status(folder, RunState.FAILED, error=str(e))
    except OSError as e:
        if not _disk_full(e):
            write_status(folder, RunState.FAILED, error=f"{type(e).__name__}: {e}")
            raise
        _cleanup_tmp(folder)  # what a failed write left (store removes its own; this is belt and braces)
        error = (f"disk full: {e.strerror or e} (free some space and start it again; an earlier checkpoint "
                 "in this folder is unchanged)")
        try:
            write_status(folder, RunState.FAILED, error=error)
        except OSError:  # not even status.json fits: say it here, and the job list reads the log
            print(f"failed: {error}", file=sys.stderr)
            return {"state": RunState.FAILED.value, "error": error}
    except Exception as e:  # noqa: BLE001 - an unexpected failure still ends in a readable state
        write_status(folder, RunState.FAILED, error=f"{type(e).__name__}: {e}")
        raise
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
    return read_status(folder)


def _cleanup_tmp(folder: Path) -> None:
    for tmp in folder.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


def _stop_file(folder: Path) -> bool:
    """A STOP file in the run directory asks for a graceful stop (works across machines and OSes)."""
    return (folder / "STOP").exists()

"""Training in a run folder, and runs as jobs of the queue (jobs/queue.py: the kind "run").

`execute` is what `python -m train` does (the app's jobs and a terminal start exactly this): the engine
inside jobs/harness.py's `run`, which appends the events to metrics.jsonl as they happen, turns SIGTERM,
SIGINT, a STOP file or the time limit into a graceful stop that still saves a usable checkpoint, and
records the final state ("failed: disk full" included). `submit`, `list_runs` and `read_run` are the
queue's job API for this kind.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from jobs import harness, standby
from jobs import queue as jobs
from jobs.folder import FINAL, RunState, runs_dir, write_json, write_status
from model import store
from model.paths import PRETRAINED
from model.presets import TrainConfig, train_config_from_dict, train_config_to_dict
from train import heldout
from train.engine import TrainingError, train

RunInfo = jobs.Job
RUN = jobs.register(jobs.Kind("run", "", lambda folder: ["train", "--config", str(folder / "config.json"),
                                                          "--quiet"]))


def device_slot(device: str) -> str:
    """The queue a job waits in: 'cpu', 'cuda:N' or 'mps'. 'auto' resolves as the engine would."""
    if device == "auto":
        import torch  # only here: a queue's listing never waits for CUDA initialisation
        if torch.cuda.is_available():
            return "cuda:0"
        mps = getattr(torch.backends, "mps", None)
        return "mps" if mps and mps.is_available() else "cpu"
    return "cuda:0" if device == "cuda" else device


def read_config(folder: Path) -> tuple[TrainConfig, str]:
    """The run's TrainConfig and display name (prepare() stores the name beside the config fields)."""
    raw = json.loads((Path(folder) / "config.json").read_text())
    name = raw.pop("name", Path(folder).name)
    return train_config_from_dict(raw), name


def prepare(folder: Path, cfg: TrainConfig, name: str | None = None, **status) -> Path:
    """Write config.json and a 'queued' status (with `status` fields) into the run directory, and start a
    fresh metrics.jsonl: a run's history is never appended to another's."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / "config.json", {**train_config_to_dict(cfg), "name": name or folder.name})
    (folder / "metrics.jsonl").unlink(missing_ok=True)
    write_status(folder, RunState.QUEUED, **status)
    return folder


def execute(folder: Path, on_event: Callable[[dict], None] | None = None, data=None) -> dict:
    """Train the run in `folder`; return the final status dict. Never raises for a training failure, nor for
    a full disk: the run ends "failed" with the reason, and a checkpoint already there stays intact."""
    folder = Path(folder)
    cfg, name = read_config(folder)

    def work(emit, should_stop):
        def both(event):
            emit(event)
            if on_event:
                on_event(event)

        drawings = heldout.class_drawings(cfg.class_drawings)  # the engine reads no file itself
        result = train(cfg, on_event=both, should_stop=should_stop, data=data, drawings=drawings,
                       baseline=heldout.shipped_model(cfg.model.kind) if drawings else None,
                       teacher=teacher(cfg.teacher))
        store.save(folder, result.model, cfg.model, name=name, preset=cfg.preset, metrics=result.metrics,
                   history=result.history, train_config=train_config_to_dict(cfg),
                   data_split={"train": result.metrics.get("n_train"), "val_size": cfg.val_size, "seed": cfg.seed,
                               "subset": cfg.subset, "class_drawing_ids": result.class_drawing_ids},
                   device=result.metrics["device_name"], seconds=result.metrics["seconds"],
                   command=" ".join(["python -m train", *sys.argv[1:]]) if sys.argv else None)
        return result.stopped, {"metrics": result.metrics}

    return harness.run(folder, work, failures=(TrainingError,), running={"slot": device_slot(cfg.device)})


def teacher(name: str):
    """The shipped model a run learns from (None for no teacher); TrainingError when it cannot be loaded."""
    if not name:
        return None
    try:
        return store.load(PRETRAINED / name)[0]
    except store.CheckpointError as e:
        raise TrainingError(f"the teacher {name!r} cannot be loaded: {e}") from None


# ---------------------------------------------------------------------------------------------------
# runs as jobs


def warm_standby(root: Path | None = None) -> bool:
    """Have a warm training process ready for the next run (train/standby.py); True if one was started.
    app.py calls it for the teacher on every page: the first curve point then comes in about a second."""
    return standby.ensure(Path(root) if root else runs_dir(), "train.standby")


def submit(cfg: TrainConfig, name: str | None = None, root: Path | None = None, start: bool = True,
           limits: dict | None = None, **queue) -> Path:
    """Queue `cfg` in a new run folder and start it if its device is free. Returns the folder; raises
    jobs.QueueFull when too many jobs wait already."""
    def write(folder: Path) -> None:
        write_json(folder / "config.json", {**train_config_to_dict(cfg), "name": name or folder.name})

    return jobs.submit("run", write, cfg.preset, name, device_slot(cfg.device), root, start, limits, **queue)


def runs(snap: jobs.Snapshot, root: Path | None = None) -> list[RunInfo]:
    """The runs of a snapshot (the folders directly in the runs directory), newest first."""
    return snap.under(Path(root) if root else runs_dir())


def list_runs(root: Path | None = None) -> list[RunInfo]:
    """Every run folder, newest first, with queue places filled in for waiting runs. Writes nothing."""
    return runs(jobs.snapshot(root), root)


def read_run(folder: Path) -> RunInfo | None:
    return jobs.read(folder)


def wait(folder: Path, timeout_s: float = 60, states=FINAL) -> RunInfo:
    return jobs.wait(folder, timeout_s, states)


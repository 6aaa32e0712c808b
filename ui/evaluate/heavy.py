"""Heavy work for the pages, in a worker process at low priority, so it cannot starve the answers.

One Streamlit server answers every student. Parsing a Kaggle CSV (a Python loop over its lines) and
scoring tens of thousands of images through a CNN held the server's CPU and GIL for seconds: while one
session scored an 11 MB CSV, 30 drawing students went from p95 0.27 s to 1.72 s (issue 17, item 4). So
that work runs here, in one worker process started with "spawn" (the same on Linux, macOS and Windows;
forking a threaded server with torch loaded can deadlock), at a lower priority set through psutil
(nice 10; BELOW_NORMAL on Windows), with one core fewer than the machine has for torch. The server's
thread only waits on the answer, which gives up the GIL. One worker: heavy jobs queue instead of
multiplying on a 2-core laptop. The worker is started on the first heavy job and kept; if it dies (out
of memory, killed), the job raises WorkerError and the next one starts a fresh worker.

The functions sent to the worker live in this module and import only model/ (no Streamlit).
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import os
import threading
from pathlib import Path

import psutil

from ui import spawn

NICE = 10
WORKER_ENV = "DIGITLAB_HEAVY_WORKER"
_lock = threading.Lock()
_pool: cf.ProcessPoolExecutor | None = None
_models: dict = {}  # in the worker: (path, mtime) → model, so scoring again does not reload


class WorkerError(RuntimeError):
    """The worker process died during a job (out of memory, or killed)."""


def _start_worker() -> None:
    """In the worker, first thing: below the server's priority, and leave the server a core."""
    p = psutil.Process()
    try:
        p.nice(psutil.BELOW_NORMAL_PRIORITY_CLASS if psutil.WINDOWS else max(p.nice(), NICE))
    except psutil.Error:  # not allowed here: run at normal priority rather than not at all
        pass
    import torch

    from jobs.background import default_threads
    torch.set_num_threads(default_threads())


def run(fn, *args):
    """fn(*args) in the worker; its result, or the exception it raised (CSVError, CheckpointError...).
    DIGITLAB_HEAVY_WORKER=0 runs it in this process instead, as before (bench/load.py --baseline)."""
    global _pool
    if os.environ.get(WORKER_ENV) == "0":
        return fn(*args)
    with _lock:
        if _pool is None:
            _pool = _new_pool()
        pool = _pool
    try:
        return pool.submit(fn, *args).result()
    except cf.process.BrokenProcessPool as e:
        with _lock:
            if _pool is pool:
                _pool = None
        pool.shutdown(wait=False, cancel_futures=True)
        raise WorkerError(str(e)) from e


def _new_pool() -> cf.ProcessPoolExecutor:
    """The worker, started now, with `__main__` empty while it starts (ui/spawn.py says why)."""
    pool = cf.ProcessPoolExecutor(1, spawn.CONTEXT, initializer=_start_worker)
    with spawn.bare_main():
        pool.submit(int)  # submit starts the process (spawn, Python ≥ 3.9), which is when __main__ is read
    atexit.register(pool.shutdown, wait=False, cancel_futures=True)
    return pool


def _model(path: str):
    from model import store
    key = (path, os.stat(Path(path) / "model.safetensors").st_mtime)
    if key not in _models:
        _models.clear()  # one model at a time: a worker holding every run's weights would only grow
        _models[key] = store.load(path)[0]
    return _models[key]


# Jobs: run in the worker.

def read_kaggle(raw: bytes, labelled: bool | None):
    from model.kaggle import read_kaggle_csv
    return read_kaggle_csv(raw, labelled=labelled)


def probabilities(path: str, images):
    import numpy as np

    from model.infer import probabilities as probs
    return probs(_model(path), images / np.float32(255))


def labels(path: str, images):
    from model.infer import labels_uint8
    return labels_uint8(_model(path), images)

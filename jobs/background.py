"""Training beside a live app: a job started from the app yields the CPU to the students' predictions.

A job the Train page starts (jobs/queue.py) shares the machine with the Streamlit server. Left alone,
torch takes one thread per core and the operating system shares the cores evenly, so with a class
drawing, every answer waits behind the training (issue 10: p95 6.3 s). So the job runs at a lower
priority (nice 10, or below normal on Windows: on a busy core it gets about a tenth of the time the
server gets, and all of it when the server is idle) and with one core fewer than the machine has.

The settings travel as environment variables. The app sets them in its own environment when it
starts (`mark_serving()`, called by app.py), so every job it starts, and every queued job the chain of
supervisors (`python -m jobs --run`) starts after it, inherits them; `apply()` acts on them at the start
of `python -m train` and `python -m sweep`. A run from a terminal, with no app, is untouched. Values already set win:
DIGITLAB_TRAIN_NICE=0 DIGITLAB_TRAIN_THREADS=0 before `./run.sh` turns both off.
"""

from __future__ import annotations

import os

import psutil

from jobs import system

NICE = "DIGITLAB_TRAIN_NICE"        # added niceness (0: unchanged)
THREADS = "DIGITLAB_TRAIN_THREADS"  # torch threads (0: torch's default, one per core)
DEFAULT_NICE = 10


def default_threads(cpus: int | None = None) -> int:
    """Leave one core for the server: 1 thread on a 2-core laptop, 15 on a 16-core box."""
    return max(1, (cpus or os.cpu_count() or 1) - 1)


def serving_env(environ: dict | None = None) -> dict[str, str]:
    """The variables for jobs started while the app serves; values already set in `environ` win."""
    environ = os.environ if environ is None else environ
    return {NICE: environ.get(NICE, str(DEFAULT_NICE)), THREADS: environ.get(THREADS, str(default_threads()))}


def mark_serving() -> None:
    """Called by the app at startup: the training jobs it starts from now on inherit `serving_env()`."""
    os.environ.update(serving_env())


def apply(environ: dict | None = None) -> dict[str, int]:
    """Lower this process's priority and torch's thread count as the environment says; returns what was done."""
    environ = os.environ if environ is None else environ
    done = {}
    nice = int(environ.get(NICE) or 0)
    if (now := system.lower_priority(psutil.Process(), nice)) is not None:  # psutil: every system alike
        done["nice"] = now
    threads = int(environ.get(THREADS) or 0)
    if threads > 0:
        import torch  # here: the app imports this module for mark_serving(), which needs no torch
        torch.set_num_threads(threads)
        done["threads"] = torch.get_num_threads()
    return done

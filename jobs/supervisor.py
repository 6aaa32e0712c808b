"""A job's supervisor: `python -m jobs --run FOLDER --root RUNS`, what `tick` starts for every job.

A small Python process, the same on every system (no shell): it runs the command in the job's record
(`python -m train --config …` or `python -m sweep --out …`) with its output appended to log.txt, waits
for it, records how it ended if the job could not (killed, out of memory, a crash before it started:
jobs/harness.py's `ended`), then ticks the queue, so the next job starts with or without a page open.
Past the job's time limit it asks the job to stop (the STOP file), and ends it if it has not stopped
`LIMIT_GRACE_S` later (a step that never returns).

When a warm standby for the job's command is ready (jobs/standby.py), the supervisor hands it the job
instead of starting a new interpreter: the same command, the same log, the same end recorded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

from jobs import harness, process, standby, system
from jobs.folder import RECORD, read_json, read_status
from jobs.queue import tick
from model.paths import REPO

LIMIT_GRACE_S = 600  # after the limit: time to finish the step and save before the job is ended


def supervise(folder: Path, root: Path | None = None) -> int:
    """Run the job in `folder` to its end; returns its exit code."""
    record, problem = read_json(folder / RECORD)
    command = (record or {}).get("command")
    if not isinstance(command, list) or not all(isinstance(a, str) for a in command):
        harness.record_end(folder, {"state": "failed", "error": problem or "job.json names no command to run"})
        return 2
    env = record.get("env") if isinstance(record.get("env"), dict) else {}
    env = {k: str(v) for k, v in env.items()}
    oom_before = system.oom_kills()
    limit = harness.limit_of(folder)
    warm = standby.take(root, command[0], standby.env_key({**os.environ, **env})) if root and command else None
    if warm is not None:
        standby.hand(root, warm, folder, command[1:])
        code, over = _wait_warm(warm, folder, limit)
    else:
        code, over = _run_cold(command, env, folder, limit)
    status = read_status(folder)  # the job is gone: whatever it wrote is on disk
    oom = system.oom_kills()
    for_memory = code == system.KILLED and None not in (oom, oom_before) and oom > oom_before
    end = harness.ended(folder, status, system.how_it_ended(code), for_memory=for_memory, over_limit=over)
    if end is not None:
        harness.record_end(folder, end)
    return code


def _run_cold(command: list[str], env: dict, folder: Path, limit: float | None) -> tuple[int, bool]:
    """A new interpreter for the job; (its exit code, whether it was ended past its limit)."""
    with open(folder / "log.txt", "ab") as log:
        job = subprocess.Popen([sys.executable, "-m", *command], cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, env=process.python_env(env))
    try:
        return job.wait(timeout=limit + LIMIT_GRACE_S if limit else None), False
    except subprocess.TimeoutExpired:  # the job's own check of its limit did not stop it
        (folder / "STOP").touch()
        try:
            return job.wait(timeout=LIMIT_GRACE_S), False
        except subprocess.TimeoutExpired:
            job.kill()
            return job.wait(), True


def _wait_warm(who: dict, folder: Path, limit: float | None) -> tuple[int, bool]:
    """The standby running the job is not this process's child: watch it by its identity (a zombie reads
    as gone), with the same limit and grace; its code is what it recorded."""
    started, asked = time.monotonic(), False
    while process.alive(who):
        ran = time.monotonic() - started
        if limit and ran > limit + 2 * LIMIT_GRACE_S:
            try:
                psutil.Process(who["pid"]).kill()
            except psutil.Error:
                pass
            return system.KILLED, True
        if limit and ran > limit + LIMIT_GRACE_S and not asked:
            (folder / "STOP").touch()
            asked = True
        time.sleep(0.2)
    return standby.exit_code(folder), False


def main(folder: Path, root: Path) -> int:
    code = supervise(folder, root)
    started = tick(root)
    print("started: " + (", ".join(p.name for p in started) or "nothing"), file=sys.stderr)
    return code

"""A job's supervisor: `python -m jobs --run FOLDER --root RUNS`, what `tick` starts for every job.

A small Python process, the same on every system (no shell): it runs the command in the job's record
(`python -m train --config …` or `python -m sweep --out …`) with its output appended to log.txt, waits
for it, records how it ended if the job could not (killed, out of memory, a crash before it started:
jobs/harness.py's `ended`), then ticks the queue, so the next job starts with or without a page open.
Past the job's time limit it asks the job to stop (the STOP file), and ends it if it has not stopped
`LIMIT_GRACE_S` later (a step that never returns).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from jobs import harness, process, system
from jobs.folder import RECORD, read_json, read_status
from jobs.queue import tick
from model.paths import REPO

LIMIT_GRACE_S = 600  # after the limit: time to finish the step and save before the job is ended


def supervise(folder: Path) -> int:
    """Run the job in `folder` to its end; returns its exit code."""
    record, problem = read_json(folder / RECORD)
    command = (record or {}).get("command")
    if not isinstance(command, list) or not all(isinstance(a, str) for a in command):
        harness.record_end(folder, {"state": "failed", "error": problem or "job.json names no command to run"})
        return 2
    env = record.get("env") if isinstance(record.get("env"), dict) else {}
    oom_before = system.oom_kills()
    with open(folder / "log.txt", "ab") as log:
        job = subprocess.Popen([sys.executable, "-m", *command], cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, env=process.python_env({k: str(v) for k, v in env.items()}))
    limit, over = harness.limit_of(folder), False
    try:
        code = job.wait(timeout=limit + LIMIT_GRACE_S if limit else None)
    except subprocess.TimeoutExpired:  # the job's own check of its limit did not stop it
        (folder / "STOP").touch()
        try:
            code = job.wait(timeout=LIMIT_GRACE_S)
        except subprocess.TimeoutExpired:
            job.kill()
            code, over = job.wait(), True
    status = read_status(folder)  # the job is gone: whatever it wrote is on disk
    oom = system.oom_kills()
    for_memory = code == system.KILLED and None not in (oom, oom_before) and oom > oom_before
    end = harness.ended(folder, status, system.how_it_ended(code), for_memory=for_memory, over_limit=over)
    if end is not None:
        harness.record_end(folder, end)
    return code


def main(folder: Path, root: Path) -> int:
    code = supervise(folder)
    started = tick(root)
    print("started: " + (", ".join(p.name for p in started) or "nothing"), file=sys.stderr)
    return code

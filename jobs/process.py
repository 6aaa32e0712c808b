"""The operating-system side of training jobs: claims, the job's subprocess, and whether a pid is still it.

A job (a training run, or a sweep) is claimed by creating its `claim` file with O_CREAT|O_EXCL (exactly
one caller wins, in any process), then started as its command (`python -m train --config RUN/config.json
--quiet`, or `python -m sweep --out SWEEP --quiet`) followed by `python -m jobs --tick RUNS`, in
its own session, so it outlives the server and the queue moves on when it ends. Processes are looked up
with psutil, the same on Linux and macOS (no /proc parsing): a pid counts as the job only while its
command line names the run folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from model import store
from model.paths import REPO

CLAIM_GRACE_S = 60  # a claim with no child pid after this long belongs to a starter that died
START_GRACE_S = 2   # a claim younger than this is a job starting, whatever its process looks like yet
_children: dict[str, subprocess.Popen] = {}  # jobs this process started, reaped by `reap`


def alive(pid, folder: Path) -> bool:
    """Is `pid` still the job training `folder`? False for a dead, zombie, foreign or reused pid."""
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    try:
        proc = psutil.Process(pid)
        if proc.status() in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD):  # exited, not yet reaped
            return False
        argv = proc.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):  # gone, or another user's: not our job
        return False
    # A reused pid belongs to some other program: the job's command line names its run folder
    # (--config RUN/config.json or --out RUN); a CLI run without --out is still `python -m train`.
    # (the shell that starts a queued job carries the whole command as one argument: split it)
    names_folder = any(folder.name in Path(word).parts for a in argv for word in a.split())
    is_cli = "train" in argv and "--config" not in argv and "--out" not in argv
    return names_folder or is_cli


def reap() -> None:
    """Collect our own finished children so they do not linger as zombies in a long-lived server."""
    for folder, proc in list(_children.items()):
        if proc.poll() is not None:
            del _children[folder]


def read_claim(folder: Path) -> dict | None:
    try:
        text = (folder / "claim").read_text()
    except OSError:
        return None
    try:
        return json.loads(text) if text.strip() else {}
    except json.JSONDecodeError:
        return {}


def starting(folder: Path, claim) -> bool:
    """Is the claimed job (run or sweep) in `folder` still on its way? `claim` is `read_claim`'s answer.
    The child may be importing torch and not have written "running" yet."""
    pid = claim.get("pid") if isinstance(claim, dict) else None
    try:
        age = time.time() - (folder / "claim").stat().st_mtime
    except OSError:
        age = time.time()
    # In its first moments the starter's process may not yet look like this job to a reader (seen once
    # in CI: read as dead 50 ms after the start); a job that really died is found a moment later.
    return (pid is None and age < CLAIM_GRACE_S) or age < START_GRACE_S or alive(pid, folder)


def take_claim(folder: Path) -> bool:
    """Atomically claim `folder`: exactly one caller, in any process, gets True."""
    try:
        fd = os.open(folder / "claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def log_tail(folder: Path, lines: int = 6) -> str:
    try:
        text = (folder / "log.txt").read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


def start(folder: Path, cmd: list[str], runs_root: Path, env: dict[str, str] | None = None) -> bool:
    """Claim `folder` and start `cmd` for it; False when another caller claimed it first."""
    if not take_claim(folder):
        return False
    then = [sys.executable, "-m", "jobs", "--tick", str(Path(runs_root).resolve())]
    # The job, then a tick: the next queued job starts when this one ends, with or without a browser open.
    # The shell is the claim's pid; the job's process records its own pid in status.json.
    proc = spawn(folder, ["/bin/sh", "-c", f"{shlex.join(cmd)}; exec {shlex.join(then)}"], env)
    store.write_json(folder / "claim", {"pid": proc.pid, "time": time.time()})
    return True


def ask_stop(folder: Path, pid) -> None:
    """Ask the job (or sweep) in `folder` to stop after its current step: a STOP file, which it checks every
    step even before its signal handler is installed, and SIGTERM to `pid` while that is still the job."""
    (folder / "STOP").touch()
    if pid is not None and alive(pid, folder):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)


def spawn(folder: Path, cmd: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start `cmd` for the run (or sweep) in `folder`: in its own session, so it outlives a page and the
    server; output appended to folder/log.txt; the repository importable; reaped later by `reap`."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
           **(env or {})}
    with open(folder / "log.txt", "ab") as log:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env, start_new_session=True)
    _children[str(folder)] = proc
    return proc


def wait_until(read, done, timeout_s: float, folder: Path, interval_s: float = 0.1):
    """Poll `read()` until `done(value)`, and return that value (for tests and scripts, of runs and sweeps
    alike). Raises TimeoutError naming the folder and the state it was still in."""
    deadline = time.time() + timeout_s
    while True:
        value = read()
        if done(value):
            return value
        if time.time() > deadline:
            raise TimeoutError(f"{folder}: still {value.state if value else 'missing'} after {timeout_s} s")
        time.sleep(interval_s)

"""The processes of jobs: who a process is, claims, starting a job's supervisor, stopping, waiting.

A process is known by its pid plus its creation time (psutil), so a pid the system has given to some
other program since is never taken for the job, with no command line to match and no sleep. A job is
claimed by creating its `claim` file with O_CREAT|O_EXCL (exactly one caller wins, in any process), then
run by its supervisor (`python -m jobs --run FOLDER`, jobs/supervisor.py), started detached from the
server (jobs/system.py), whose identity the claim then holds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

from jobs import system
from jobs.folder import read_json, write_json
from model.paths import REPO

CLAIM_GRACE_S = 60  # a claim with no supervisor written after this long belongs to a starter that died
_children: dict[str, subprocess.Popen] = {}  # supervisors this process started, reaped by `reap`


def identity(proc: psutil.Process | None = None) -> dict:
    """{"pid", "created"} of `proc` (this process by default): what status.json and `claim` record."""
    proc = proc or psutil.Process()
    return {"pid": proc.pid, "created": proc.create_time()}


def find(who) -> psutil.Process | None:
    """The live process `who` ({"pid", "created"}) names, or None: gone, a zombie, or a reused pid."""
    if not isinstance(who, dict):
        return None
    pid, created = who.get("pid"), who.get("created")
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0 or not isinstance(created, int | float):
        return None  # a record without a creation time cannot be told from a reused pid: not the job
    try:
        proc = psutil.Process(pid)
        if abs(proc.create_time() - created) > 0.01 or proc.status() in (psutil.STATUS_ZOMBIE,
                                                                           psutil.STATUS_DEAD):
            return None
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return proc


def alive(who) -> bool:
    return find(who) is not None


def adopt(key: Path, proc: subprocess.Popen) -> None:
    """Reap `proc` (a detached helper this process started, e.g. a standby) along with the supervisors."""
    _children[str(key)] = proc


def reap() -> None:
    """Collect our own finished supervisors so they do not linger as zombies in a long-lived server."""
    for folder, proc in list(_children.items()):
        if proc.poll() is not None:
            del _children[folder]


def read_claim(folder: Path) -> dict | None:
    """The claim of a job being started or run: {} while its supervisor is not yet written; None if none."""
    if not (Path(folder) / "claim").exists():
        return None
    claim, _ = read_json(Path(folder) / "claim")
    return claim or {}


def starting(folder: Path, claim: dict) -> bool:
    """Is the claimed job in `folder` on its way (its supervisor alive, or about to be written)?"""
    if claim.get("pid") is not None:
        return alive(claim)
    try:
        age = time.time() - (Path(folder) / "claim").stat().st_mtime
    except OSError:
        return False
    return age < CLAIM_GRACE_S


def take_claim(folder: Path) -> bool:
    """Atomically claim `folder`: exactly one caller, in any process, gets True."""
    try:
        fd = os.open(Path(folder) / "claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def log_tail(folder: Path, lines: int = 6) -> str:
    try:
        text = (Path(folder) / "log.txt").read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


def python_env(extra: dict | None = None) -> dict[str, str]:
    """The environment of a job's processes: this one's, with the repository importable."""
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, **(extra or {})}


def start(folder: Path, runs_root: Path) -> bool:
    """Claim `folder` and start its supervisor; False when another caller claimed it first."""
    folder = Path(folder)
    if not take_claim(folder):
        return False
    cmd = [sys.executable, "-m", "jobs", "--run", str(folder.resolve()), "--root", str(Path(runs_root).resolve())]
    with open(folder / "log.txt", "ab") as log:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=python_env(), **system.detached())
    _children[str(folder)] = proc
    try:
        who = identity(psutil.Process(proc.pid))
    except psutil.NoSuchProcess:  # it already ended: its own record of how says why
        who = {"pid": proc.pid, "created": None}
    write_json(folder / "claim", {**who, "time": time.time()})
    return True


def ask_stop(folder: Path, who) -> None:
    """Ask the job in `folder` to stop after its current step: a STOP file, which every job checks every
    step on every system, and (POSIX) SIGTERM to the job's process while `who` still names it."""
    (Path(folder) / "STOP").touch()
    if (proc := find(who)) is not None:
        try:
            system.ask_to_stop(proc)
        except psutil.Error:  # it ended meanwhile
            pass


def wait_until(read, done, timeout_s: float, folder: Path, interval_s: float = 0.1):
    """Poll `read()` until `done(value)`, and return that value (for tests and scripts, of runs and sweeps
    alike). Raises TimeoutError naming the folder and the state it was still in."""
    deadline = time.time() + timeout_s
    while True:
        value = read()
        if done(value):
            return value
        if time.time() > deadline:
            state = getattr(value, "state", value) if value is not None else "missing"
            raise TimeoutError(f"{folder}: still {state} after {timeout_s} s")
        time.sleep(interval_s)

"""A warm process for the next job: started before the teacher presses Start, so the first curve point
comes within two seconds instead of after Python, torch and the optimiser's first step have loaded
(about 4 s on a 2-core laptop: `import torch` 2 s, then `torch._dynamo`, which the first optimiser step
imports, 2 s more).

A kind's standby is any `python -m MODULE.standby`-like program that warms itself, then calls `offer`
and `wait_for_job`. Its files, in RUNS/.standby/:

- `<pid>.ready`: {"pid", "created", "module", "env"}, written when it is warm. `module` is the job command
  it can run in-process ("train"); `env` the DIGITLAB_* variables it started with (a job whose variables
  differ, e.g. other threads or priority, starts cold as before).
- `<pid>.job`: {"folder", "argv"}, written by the supervisor that took it. Taking is renaming `.ready`
  to `.taken`: atomic, so exactly one supervisor wins a standby.
- `<pid>.exit`: {"code"}: how the job it ran ended, for the supervisor, which is not its parent and so
  cannot read its exit code (none at all means it was killed).
- `starting`: a standby is on its way (its mtime says since when), so that two refreshes start one.

Set DIGITLAB_STANDBY=0 to start every job cold (the tests do, except the standby's own).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from jobs import process, system
from jobs.folder import read_json, write_json
from model.paths import REPO

DIR = ".standby"
SWITCH = "DIGITLAB_STANDBY"
IDLE_S = 20 * 60          # a standby no job took for this long exits (it holds a few hundred MB)
STARTING_GRACE_S = 120    # a `starting` mark older than this belongs to a standby that never came up
POLL_S = 0.05


def enabled(environ=None) -> bool:
    return (os.environ if environ is None else environ).get(SWITCH, "1") != "0"


def env_key(environ=None) -> dict[str, str]:
    """The variables a job's behaviour depends on: a standby serves only jobs started with the same."""
    environ = os.environ if environ is None else environ
    return {k: v for k, v in sorted(environ.items()) if k.startswith("DIGITLAB_") and k != SWITCH}


def home(root: Path) -> Path:
    return Path(root) / DIR


# ---------------------------------------------------------------------------------------------------
# the standby's side


def offer(root: Path, module: str, env: dict[str, str]) -> Path:
    """Say this process is warm and can run `python -m module ...` jobs; returns its ready file."""
    d = home(root)
    d.mkdir(parents=True, exist_ok=True)
    me = process.identity()
    ready = d / f"{me['pid']}.ready"
    write_json(ready, {**me, "module": module, "env": env})
    (d / "starting").unlink(missing_ok=True)
    return ready


def wait_for_job(root: Path, idle_s: float = IDLE_S) -> dict | None:
    """Block until a supervisor hands this process a job ({"folder", "argv"}); None after `idle_s` with
    none, or when the runs directory is gone."""
    d, pid = home(root), os.getpid()
    ready, taken, job = d / f"{pid}.ready", d / f"{pid}.taken", d / f"{pid}.job"
    deadline = time.time() + idle_s
    while True:
        if job.exists():
            message, _ = read_json(job)
            if message:
                job.unlink(missing_ok=True)
                taken.unlink(missing_ok=True)
                return message
        if not taken.exists():
            if not ready.exists():
                return None  # the folder was deleted under it
            if time.time() > deadline:
                try:
                    ready.unlink()  # withdrawn; a supervisor renaming it at this instant wins instead
                    return None
                except FileNotFoundError:
                    deadline = time.time() + 5  # just taken: its job file is on its way
        elif time.time() > deadline + 60:
            return None  # taken, and no job came: the supervisor died between the two
        time.sleep(POLL_S)


def record_exit(folder: Path, code: int) -> None:
    write_json(Path(folder) / ".exit", {"code": code})


# ---------------------------------------------------------------------------------------------------
# the supervisor's side


def take(root: Path, module: str, env: dict[str, str]) -> dict | None:
    """A live, warm standby for `module` started with `env`, now this caller's alone; None if none."""
    d = home(root)
    for ready in sorted(d.glob("*.ready")) if d.is_dir() else []:
        offer_, _ = read_json(ready)
        if not offer_ or not process.alive(offer_):
            ready.unlink(missing_ok=True)  # a standby that died
            continue
        if offer_.get("module") != module or offer_.get("env") != env:
            continue
        try:
            ready.rename(ready.with_suffix(".taken"))
        except (FileNotFoundError, FileExistsError, PermissionError):
            continue  # another supervisor took it first
        return offer_
    return None


def hand(root: Path, who: dict, folder: Path, argv: list[str]) -> None:
    write_json(home(root) / f"{who['pid']}.job", {"folder": str(folder), "argv": argv})


def exit_code(folder: Path) -> int:
    """How the standby's job ended: its recorded code, or "killed" when it recorded none."""
    end, _ = read_json(Path(folder) / ".exit")
    code = (end or {}).get("code")
    return code if isinstance(code, int) and not isinstance(code, bool) else system.KILLED


def ready_count(root: Path) -> int:
    d = home(root)
    return sum(1 for r in d.glob("*.ready") if process.alive(read_json(r)[0])) if d.is_dir() else 0


def ensure(root: Path, module: str) -> bool:
    """Start `python -m module --root RUNS` unless a standby is ready or on its way; True if one was started."""
    if not enabled():
        return False
    d = home(root)
    if ready_count(root):
        return False
    d.mkdir(parents=True, exist_ok=True)
    mark = d / "starting"
    try:
        if time.time() - mark.stat().st_mtime < STARTING_GRACE_S:
            return False
        mark.unlink()
    except FileNotFoundError:
        pass
    try:
        os.close(os.open(mark, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    except FileExistsError:
        return False  # another session is starting one this instant
    with open(d / "log.txt", "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", module, "--root", str(Path(root).resolve())], cwd=REPO,
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=process.python_env(), **system.detached())
    process.adopt(d / str(proc.pid), proc)
    return True

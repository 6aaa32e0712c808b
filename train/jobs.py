"""Training jobs: the CLI run as a subprocess on a run directory, queued per device.

Everything is derived from the run directories on disk (status.json, a `claim` file, the pid), never
from memory, so any Streamlit session, a restarted server or a terminal sees the same queue:

- `submit` writes config.json and a "queued" status; `tick` starts the oldest queued jobs whose device
  has a free slot (`LIMITS`: one job per GPU and one on the CPU). Whoever creates `claim` first with
  O_CREAT|O_EXCL starts the job, and a file lock around `tick` keeps two sessions from filling one slot.
- A job is `python -m train --config RUN/config.json --quiet` in its own session (start_new_session),
  so it outlives a Streamlit rerun, a closed browser tab or a killed server. When it ends, the same shell
  runs `python -m train.jobs --tick`, so the queue moves on even when no page is open.
- `stop` asks for a graceful stop (a STOP file and SIGTERM): the engine finishes the step, saves a usable
  checkpoint and writes "stopped". `cancel` does the same for a job still waiting.
- A "running" status whose process is gone (killed, machine rebooted, pid reused) reads as "interrupted"
  and is rewritten so, so nothing stays "running" forever.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from model import store
from model.presets import TrainConfig
from train import rundir

REPO = Path(__file__).resolve().parent.parent
LIMITS: dict[str, int] = {"cpu": 1}   # jobs at once per device slot; any other slot (cuda:0, mps) gets 1
ACTIVE = ("queued", "starting", "running")
CLAIM_GRACE_S = 60  # a claim with no child pid after this long belongs to a starter that died


@dataclass
class RunInfo:
    folder: Path
    name: str
    preset: str
    state: str                  # queued | starting | running | done | stopped | failed | interrupted
    slot: str                   # the device queue it waits in: cpu, cuda:0, mps
    position: int | None        # 1 = next to start in its slot; None unless queued
    created: float              # submission time (seconds since the epoch)
    status: dict = field(default_factory=dict)   # status.json as read
    config: dict = field(default_factory=dict)   # config.json as read (with "name")

    @property
    def metrics(self) -> dict:
        return self.status.get("metrics") or {}

    @property
    def error(self) -> str | None:
        return self.status.get("error")

    @property
    def note(self) -> str | None:
        return self.status.get("note")

    @property
    def active(self) -> bool:
        return self.state in ACTIVE


# ---------------------------------------------------------------------------------------------------
# where jobs run


def device_slot(device: str) -> str:
    """The queue a job waits in: 'cpu', 'cuda:N' or 'mps'. 'auto' resolves as the engine would."""
    if device == "auto":
        import torch  # only here: listing runs must not wait for CUDA initialisation
        if torch.cuda.is_available():
            return "cuda:0"
        mps = getattr(torch.backends, "mps", None)
        return "mps" if mps and mps.is_available() else "cpu"
    if device == "cuda":
        return "cuda:0"
    return device


def _limit(slot: str, limits: dict | None) -> int:
    return (limits or LIMITS).get(slot, 1)


# ---------------------------------------------------------------------------------------------------
# process checks


def _proc_alive(pid: int | None, folder: Path, started: float | None = None) -> bool:
    """Is `pid` still the job training `folder`? False for a dead, zombie or reused pid."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    proc = Path(f"/proc/{pid}")
    if not proc.exists():  # not Linux: os.kill is all we can tell
        return True
    try:
        stat = (proc / "stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X"):  # exited, not yet reaped by its parent
            return False
        argv = (proc / "cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return False
    # A reused pid belongs to some other program: the job's command line names its run folder
    # (--config RUN/config.json or --out RUN); a CLI run without --out is still `python -m train`.
    names_folder = any(Path(a).name == folder.name or f"/{folder.name}/" in a for a in argv)
    is_cli = "train" in argv and "--config" not in argv and "--out" not in argv
    return names_folder or is_cli


def _reap() -> None:
    """Collect our own finished children so they do not linger as zombies in a long-lived server."""
    for folder, proc in list(_children.items()):
        if proc.poll() is not None:
            del _children[folder]


_children: dict[str, subprocess.Popen] = {}


def _read_claim(folder: Path) -> dict | None:
    try:
        text = (folder / "claim").read_text()
    except OSError:
        return None
    try:
        return json.loads(text) if text.strip() else {}
    except json.JSONDecodeError:
        return {}


def _take_claim(folder: Path) -> bool:
    """Atomically claim `folder`: exactly one caller, in any process, gets True."""
    try:
        fd = os.open(folder / "claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def _log_tail(folder: Path, lines: int = 6) -> str:
    try:
        text = (folder / "log.txt").read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


# ---------------------------------------------------------------------------------------------------
# reading the state of every run


def _runs_root(root: Path | None) -> Path:
    return Path(root) if root else store.runs_dir()


def read_run(folder: Path, fix: bool = True) -> RunInfo | None:
    """One run as it stands on disk; `fix` rewrites a dead "running" job as "interrupted"."""
    folder = Path(folder)
    try:
        config = json.loads((folder / "config.json").read_text())
    except (OSError, json.JSONDecodeError):
        return None
    status = rundir.read_status(folder)
    state = status.get("state", "unknown")
    if state == "queued" and (claim := _read_claim(folder)) is not None:
        # claimed: the child is importing torch and has not written "running" yet
        pid = claim.get("pid")
        fresh = pid is None and time.time() - _mtime(folder / "claim") < CLAIM_GRACE_S
        if fresh or _proc_alive(pid, folder):
            state = "starting"
        else:
            status = _mark_dead(folder, status, fix, before_start=True)
            state = status["state"]
    elif state == "running" and not _proc_alive(status.get("pid"), folder):
        status = _mark_dead(folder, status, fix)
        state = status["state"]
    created = status.get("submitted") or _mtime(folder / "config.json")
    device = config.get("device", "auto")
    slot = status.get("slot") or device_slot(device)  # a run started from a terminal has no slot
    return RunInfo(folder, config.get("name") or folder.name, config.get("preset", "custom"), state, slot, None,
                   created, status, config)


def _mark_dead(folder: Path, status: dict, fix: bool, before_start: bool = False) -> dict:
    """The job's process is gone without a final status: "interrupted", or "failed" with its log's last
    lines if it died before training started (e.g. a bad config)."""
    time.sleep(0.05)  # the job may have written its final status just after we read it: read once more
    if (again := rundir.read_status(folder)).get("state") != status.get("state"):
        return again
    if before_start and (tail := _log_tail(folder)):
        new = {"state": "failed", "error": tail, "slot": status.get("slot"), "submitted": status.get("submitted")}
    else:
        note = "the training process ended without saving (killed, or the machine restarted)"
        new = {**{k: v for k, v in status.items() if k not in ("state", "updated")}, "state": "interrupted",
               "note": note}
    if fix:
        state = new.pop("state")
        rundir.write_status(folder, state, **new)
        return rundir.read_status(folder)
    return {**new, "updated": time.time()}


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def list_runs(root: Path | None = None) -> list[RunInfo]:
    """Every run directory, newest first, with queue positions filled in for queued jobs."""
    _reap()
    root = _runs_root(root)
    if not root.exists():
        return []
    runs = [r for d in root.iterdir() if d.is_dir() and (r := read_run(d)) is not None]
    waiting: dict[str, int] = {}
    for r in sorted((r for r in runs if r.state == "queued"), key=lambda r: (r.created, r.folder.name)):
        waiting[r.slot] = waiting.get(r.slot, 0) + 1
        r.position = waiting[r.slot]
    return sorted(runs, key=lambda r: (r.created, r.folder.name), reverse=True)


def refresh_interrupted(root: Path | None = None) -> list[Path]:
    """Rewrite every dead "running" job as "interrupted" (call at startup); return their folders."""
    before = {}
    root = _runs_root(root)
    if root.exists():
        before = {d: rundir.read_status(d).get("state") for d in root.iterdir() if d.is_dir()}
    return [r.folder for r in list_runs(root) if r.state == "interrupted" and before.get(r.folder) != "interrupted"]


# ---------------------------------------------------------------------------------------------------
# actions


def submit(cfg: TrainConfig, name: str | None = None, root: Path | None = None, start: bool = True,
           limits: dict | None = None) -> Path:
    """Queue `cfg` in a new run directory and start it if its device is free. Returns the folder."""
    root = _runs_root(root)
    root.mkdir(parents=True, exist_ok=True)
    base = time.strftime("%Y%m%d-%H%M%S") + f"-{cfg.preset}"
    for i in range(1000):  # mkdir is atomic: two submits in the same second get different folders
        folder = root / (base if i == 0 else f"{base}-{i + 1}")
        try:
            folder.mkdir()
            break
        except FileExistsError:
            continue
    rundir.prepare(folder, cfg, name=name or folder.name)
    rundir.write_status(folder, "queued", submitted=time.time(), slot=device_slot(cfg.device))
    if start:
        tick(root, limits)
    return folder


@contextlib.contextmanager
def _scheduler_lock(root: Path):
    """One `tick` at a time across every process sharing `root` (sessions, servers, terminals)."""
    with open(root / ".scheduler.lock", "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def tick(root: Path | None = None, limits: dict | None = None) -> list[Path]:
    """Start the oldest queued jobs for which a device slot is free; return the folders started."""
    root = _runs_root(root)
    if not root.exists():
        return []
    started = []
    with _scheduler_lock(root):
        runs = list_runs(root)
        busy: dict[str, int] = {}
        for r in runs:
            if r.state in ("starting", "running"):
                busy[r.slot] = busy.get(r.slot, 0) + 1
        for r in sorted((r for r in runs if r.state == "queued"), key=lambda r: r.position or 0):
            if busy.get(r.slot, 0) >= _limit(r.slot, limits):
                continue
            if _start(r.folder):
                busy[r.slot] = busy.get(r.slot, 0) + 1
                started.append(r.folder)
    return started


def _start(folder: Path) -> bool:
    if not _take_claim(folder):
        return False
    folder = folder.resolve()
    train = [sys.executable, "-m", "train", "--config", str(folder / "config.json"), "--quiet"]
    then = [sys.executable, "-m", "train.jobs", "--tick", str(folder.parent)]
    # The job, then a tick: the next queued job starts when this one ends, with or without a browser open.
    # The shell is the claim's pid; the training process records its own pid in status.json.
    cmd = ["/bin/sh", "-c", f"{shlex.join(train)}; exec {shlex.join(then)}"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    with open(folder / "log.txt", "ab") as log:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env, start_new_session=True)
    _children[str(folder)] = proc
    store.write_json(folder / "claim", {"pid": proc.pid, "time": time.time()})
    return True


def stop(folder: Path) -> str:
    """Ask a job to stop gracefully (it saves a usable checkpoint); cancel it if still queued.

    Returns the state it is in or heading for: 'stopping', 'stopped' (cancelled) or its final state."""
    folder = Path(folder)
    run = read_run(folder)
    if run is None or not run.active:
        return run.state if run else "missing"
    if run.state == "queued" and cancel(folder):
        return "stopped"
    (folder / "STOP").touch()  # checked every step, even before the signal handler is installed
    pid = run.status.get("pid")
    if run.state == "running" and _proc_alive(pid, folder):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
    return "stopping"


def cancel(folder: Path) -> bool:
    """Cancel a queued job before it starts: True if it will never run, False if it already started."""
    folder = Path(folder)
    if rundir.read_status(folder).get("state") != "queued" or not _take_claim(folder):
        return False
    old = rundir.read_status(folder)
    rundir.write_status(folder, "stopped", note="cancelled before it started",
                        submitted=old.get("submitted"), slot=old.get("slot"))
    return True


def delete(folder: Path, root: Path | None = None) -> None:
    """Remove a run directory; a waiting job is cancelled first, a running one must be stopped first."""
    folder, root = Path(folder).resolve(), _runs_root(root).resolve()
    if folder.parent != root:
        raise ValueError(f"{folder} is not a run directory under {root}")
    run = read_run(folder)
    if run is not None and run.state == "queued":
        cancel(folder)
        run = read_run(folder)
    if run is not None and run.state in ("starting", "running"):
        raise ValueError("this run is still training: stop it first")
    shutil.rmtree(folder, ignore_errors=True)


def wait(folder: Path, timeout_s: float = 60, states=("done", "stopped", "failed", "interrupted")) -> RunInfo:
    """Poll until the job reaches one of `states` (for tests and scripts). Raises TimeoutError."""
    deadline = time.time() + timeout_s
    while True:
        run = read_run(folder)
        if run is not None and run.state in states:
            return run
        if time.time() > deadline:
            raise TimeoutError(f"{folder}: still {run.state if run else 'missing'} after {timeout_s} s")
        time.sleep(0.1)


if __name__ == "__main__":  # `python -m train.jobs --tick RUNS_DIR`: what a job runs when it ends
    import argparse

    parser = argparse.ArgumentParser(prog="python -m train.jobs", description="start waiting training jobs")
    parser.add_argument("--tick", type=Path, metavar="RUNS_DIR", help="the runs directory (default: $DIGITLAB_RUNS)")
    started = tick(parser.parse_args().tick)
    print("started: " + (", ".join(p.name for p in started) or "nothing"), file=sys.stderr)

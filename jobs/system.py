"""The one place that knows the operating system: everything else in jobs/ is the same on Linux, macOS
and Windows.

- `detached()`: how a job's supervisor is started so that it outlives the server (a new session on
  POSIX; a new process group and no console window on Windows).
- `lower_priority(proc, nice)`: psutil's `nice()`, which on Windows takes a priority class instead of a
  number (BELOW_NORMAL for any positive niceness).
- `ask_to_stop(proc)`: on POSIX, SIGTERM (through psutil), which the job turns into a graceful stop; on
  Windows nothing, since `terminate()` there kills without saving: the STOP file is the graceful path on
  every system, and the only one there.
- `how_it_ended(returncode)` and `oom_kills()`: what a process's exit says (a signal's name on POSIX),
  and Linux's count of processes killed for lack of memory (None where the system does not say).
- `STOP_SIGNALS`: the signals a job treats as "stop, and save".
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import psutil

WINDOWS = sys.platform == "win32"
STOP_SIGNALS = tuple(s for s in (signal.SIGTERM, signal.SIGINT, getattr(signal, "SIGBREAK", None)) if s is not None)
KILLED = -getattr(signal, "SIGKILL", 9)  # Popen's returncode for a process killed by SIGKILL (POSIX)


def detached() -> dict:
    """Popen keyword arguments for a process that must outlive its parent (the Streamlit server)."""
    if WINDOWS:
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.CREATE_NO_WINDOW}
    return {"start_new_session": True}


def lower_priority(proc: psutil.Process, nice: int) -> int | None:
    """Lower `proc`'s priority by `nice` steps (POSIX) or to below normal (Windows); the new value, or None
    when the system does not allow it (a job then runs at normal priority rather than not at all)."""
    if nice <= 0:
        return None
    try:
        if WINDOWS:
            proc.nice(psutil.BELOW_NORMAL_PRIORITY_CLASS)
        else:
            proc.nice(min(19, proc.nice() + nice))
        return proc.nice()
    except (psutil.AccessDenied, OSError):
        return None


def ask_to_stop(proc: psutil.Process) -> None:
    """Besides the STOP file: a signal the job answers by finishing its step and saving (POSIX only)."""
    if not WINDOWS:
        proc.terminate()  # SIGTERM


def how_it_ended(returncode: int) -> str:
    """'exit code 3', or 'signal SIGKILL' on POSIX (Popen reports a signal as a negative code)."""
    if returncode < 0 and not WINDOWS:
        try:
            return f"signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"signal {-returncode}"
    return f"exit code {returncode}"


def oom_kills() -> int | None:
    """How many processes the kernel has killed for lack of memory since boot (Linux; /proc/vmstat), or
    None where that cannot be read. A job killed by SIGKILL while this count rose was, most likely, one."""
    try:
        for line in Path("/proc/vmstat").read_text().splitlines():
            if line.startswith("oom_kill "):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None

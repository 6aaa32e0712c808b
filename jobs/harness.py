"""What every job goes through, whatever it computes: one harness for runs and sweeps.

In the job's process, `run(folder, work)`:
- writes "running" with the process's identity (pid and creation time), opens metrics.jsonl and hands
  `work` an `emit` that appends one event per line, flushed;
- turns SIGTERM/SIGINT, a STOP file and the job's wall-time limit (job.json's `limit_s`) into a graceful
  stop: `work`'s `should_stop()` turns true, it finishes its step and saves what it has;
- records how it ended: done or stopped (with `stopped_by: "time limit"` when the limit stopped it),
  failed with the reason for the failures `work` declares, for a full disk (temporary files removed,
  what was saved before left as it was) and for anything else.

From outside, `ended(status, ...)` is the dead-process policy: what a job whose process is gone without a
final status reads as. The supervisor applies it with the exit code it saw (jobs/supervisor.py); the
queue's `tick` with none, when even the supervisor is gone (killed, or the machine restarted).
"""

from __future__ import annotations

import errno
import json
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from jobs import process, system
from jobs.folder import RECORD, RunState, read_json, read_status, write_status

Emit = Callable[[dict], None]
Work = Callable[[Emit, Callable[[], bool]], tuple[bool, dict]]  # (emit, should_stop) -> (stopped, final fields)
UNKNOWN_END = "killed, or the machine restarted"


def _disk_full(e: BaseException) -> bool:
    return isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT)


def limit_of(folder: Path) -> float | None:
    """The job's wall-time limit in seconds, from its record; None for no limit (a run from a terminal)."""
    record, _ = read_json(Path(folder) / RECORD)
    limit = (record or {}).get("limit_s")
    return float(limit) if isinstance(limit, int | float) and not isinstance(limit, bool) and limit > 0 else None


def run(folder: Path, work: Work, failures: tuple[type[BaseException], ...] = (), running: dict | None = None) -> dict:
    """Run `work` as the job in `folder` and record how it ended; returns the final status. Never raises
    for a declared failure nor for a full disk; anything else is recorded as failed, then raised."""
    folder = Path(folder)
    limit, why = limit_of(folder), {"stop": None}
    started = time.time()

    def on_signal(signum, frame):  # finish the current step, then save
        why["stop"] = why["stop"] or "asked"

    def should_stop() -> bool:
        if why["stop"] is None and (folder / "STOP").exists():
            why["stop"] = "asked"
        if why["stop"] is None and limit is not None and time.time() - started > limit:
            why["stop"] = "time limit"
        return why["stop"] is not None

    main = threading.current_thread() is threading.main_thread()  # signals can be caught only there
    old = {s: signal.signal(s, on_signal) for s in system.STOP_SIGNALS} if main else {}
    try:
        write_status(folder, RunState.RUNNING, **process.identity(), started=started, **(running or {}))
        with open(folder / "metrics.jsonl", "a", buffering=1) as log:
            def emit(event: dict) -> None:
                log.write(json.dumps(event) + "\n")
                log.flush()

            stopped, fields = work(emit, should_stop)
        if stopped and why["stop"] == "time limit":
            fields = {**fields, "stopped_by": "time limit", "limit_s": limit}
        write_status(folder, RunState.STOPPED if stopped else RunState.DONE, **fields)
    except failures as e:
        write_status(folder, RunState.FAILED, error=str(e))
    except MemoryError:
        write_status(folder, RunState.FAILED, error="out of memory: this job needs more memory than the machine "
                                                    "has free (try a smaller batch, model or subset)")
    except OSError as e:
        if not _disk_full(e):
            write_status(folder, RunState.FAILED, error=f"{type(e).__name__}: {e}")
            raise
        for tmp in folder.glob(".*.tmp"):  # what a failed write left (the writers remove their own too)
            tmp.unlink(missing_ok=True)
        error = (f"disk full: {e.strerror or e} (free some space and start it again; what this folder held "
                 "before is unchanged)")
        try:
            write_status(folder, RunState.FAILED, error=error)
        except OSError:  # not even status.json fits: say it in the log, which the job list reads
            print(f"failed: {error}", file=sys.stderr)
            return {"state": RunState.FAILED.value, "error": error}
    except Exception as e:  # noqa: BLE001 - an unexpected failure still ends in a readable state
        write_status(folder, RunState.FAILED, error=f"{type(e).__name__}: {e}")
        raise
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
    return read_status(folder)


def ended(folder: Path, status: dict, how: str | None = None, for_memory: bool = False,
          over_limit: bool = False) -> dict | None:
    """What a job whose processes are gone reads as, or None when its status is already final (or it never
    started: a waiting job). `how` is how its process ended ("signal SIGKILL"), None when nobody saw it."""
    state = status.get("state")
    if state not in (RunState.RUNNING, RunState.QUEUED):
        return None
    keep = {k: v for k, v in status.items() if k not in ("state", "updated")}
    if state == RunState.QUEUED:  # claimed, then gone before it wrote "running": it never started
        tail = process.log_tail(folder)
        return {"state": RunState.FAILED.value,
                "error": tail or f"the job ended before it started ({how or UNKNOWN_END})"}
    if for_memory:
        return {**keep, "state": RunState.FAILED.value,
                "error": "killed for lack of memory: the system ran out of memory while this job ran and stopped "
                         "it (try a smaller batch, model or subset)"}
    if over_limit:
        return {**keep, "state": RunState.INTERRUPTED.value,
                "note": "passed its time limit and did not stop by itself, so it was ended without saving"}
    return {**keep, "state": RunState.INTERRUPTED.value,
            "note": f"the job's process ended without saving ({how or UNKNOWN_END})"}


def record_end(folder: Path, end: dict) -> None:
    state = end.pop("state")
    write_status(folder, state, **end)

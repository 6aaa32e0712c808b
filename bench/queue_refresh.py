"""How long a Train-page refresh takes with many waiting jobs (issue 17, item 6): now, and at a base commit.

    PYTHONPATH=. .venv/bin/python bench/queue_refresh.py [--jobs 200] [--repeat 5] [--before d703650]

Queues `jobs` runs (nothing starts: the CPU slot's limit is set to 0 in the measuring process), opens the
Train page in a fresh AppTest session (the first load) and reruns it (a refresh), and prints the median
times. The base commit's code is measured the same way in a second process (its modules cannot share
this one), from a copy `git archive` makes; --before "" skips it.
"""

# ruff: noqa: E402
from __future__ import annotations

import os
import sys

# Run as a script, this file's folder comes first on sys.path, where this file would stand for the
# standard library's `queue` (which torch imports): drop it before importing anything else.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != _here]

import argparse
import dataclasses
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def queue_jobs(root: Path, n: int) -> None:
    from model.presets import get
    cfg = dataclasses.replace(get("seed001-mlp").train, epochs=1, subset=2000, device="cpu")
    from train import run
    if hasattr(run, "submit"):  # this tree: runs are one kind of job of the one queue
        submit = lambda: run.submit(cfg, start=False, cap=n + 1, root=root)  # noqa: E731
    else:
        from jobs import queue as jobs  # the base commit: jobs.submit took a TrainConfig
        submit = lambda: jobs.submit(cfg, start=False, root=root)  # noqa: E731
    for _ in range(n):
        submit()


def measure(n: int, repeat: int) -> dict:
    """Median seconds of a first Train-page load and of a refresh, with `n` waiting jobs."""
    from streamlit.testing.v1 import AppTest

    from jobs import queue as jobs
    from model.paths import REPO
    root = Path(os.environ["DIGITLAB_RUNS"])
    queue_jobs(root, n)
    jobs.LIMITS["cpu"] = 0  # nothing starts: the bench measures the waiting, not training
    first, refresh = [], []
    for _ in range(repeat):
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=600)
        at.run()
        at.switch_page("app_pages/train.py")
        t0 = time.perf_counter()
        at.run()
        first.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        at.run()
        refresh.append(time.perf_counter() - t0)
        assert not at.exception, [e.value for e in at.exception]
    return {"jobs": n, "first_s": statistics.median(first), "refresh_s": statistics.median(refresh)}


def run_in(tree: Path, n: int, repeat: int) -> dict:
    """`measure` in a fresh process on the code in `tree`, with a runs folder of its own."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": str(tree), "DIGITLAB_RUNS": str(Path(tmp) / "runs"),
               "DIGITLAB_DRAWINGS": str(Path(tmp) / "drawings")}
        out = subprocess.run([sys.executable, __file__, "--measure", "--jobs", str(n), "--repeat", str(repeat)],
                             cwd=tree, env=env, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"the measurement in {tree} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--before", default="d703650", help="the base commit to compare with ('' for none)")
    ap.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # the measuring process
    a = ap.parse_args()
    if a.measure:
        print(json.dumps(measure(a.jobs, a.repeat)))
        return
    rows = [("now", run_in(HERE, a.jobs, a.repeat))]
    if a.before:
        with tempfile.TemporaryDirectory() as tmp:
            archive = subprocess.run(["git", "-C", str(HERE), "archive", a.before], capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
            rows.append((f"before ({a.before})", run_in(Path(tmp), a.jobs, a.repeat)))
    print(f"Train page with {a.jobs} waiting jobs, median of {a.repeat} (load avg {os.getloadavg()[0]:.1f}):")
    for label, r in rows:
        print(f"  {label:>18}: first load {r['first_s']:.2f} s, refresh {r['refresh_s']:.2f} s")


if __name__ == "__main__":
    main()

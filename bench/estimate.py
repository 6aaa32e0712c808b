"""The time estimate against the real thing: for each preset, the estimate the Train page shows before Start
(train/estimate.py: a fresh throughput measurement), then the job itself, submitted as the Train page does
(train/run.submit: its supervisor, `python -m train`, the app's job settings from jobs/background.py:
cores − 1 torch threads, nice 10), timed from the submit to its final state, as the teacher waits for it.

    python bench/estimate.py [--presets quick seed001-mlp lenet5] [--epochs N] [--subset N]

Prints estimate, actual and their ratio per preset. `--epochs` and `--subset` shorten every run alike
(the estimate covers the same shortened run), for a machine under load.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from jobs import background  # noqa: E402
from model import presets  # noqa: E402
from train import estimate, run  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--presets", nargs="+", default=["quick", "seed001-mlp", "lenet5"])
    p.add_argument("--epochs", type=int, help="epochs of every run (default: each preset's)")
    p.add_argument("--subset", type=int, help="training images of every run (default: all)")
    a = p.parse_args(argv)
    os.environ.update(background.serving_env())  # what a job started by the app runs with
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} cores, jobs get {os.environ[background.THREADS]} torch thread(s) at nice "
          f"{os.environ[background.NICE]}; load average {load:.1f} at the start")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DIGITLAB_RUNS"] = tmp  # a fresh cache: every estimate is measured now
        for name in a.presets:
            cfg = presets.get(name).train
            changes = {"epochs": a.epochs, "subset": a.subset}
            cfg = replace(cfg, **{k: v for k, v in changes.items() if v is not None})
            t = time.perf_counter()
            speed = estimate.measure(cfg)
            measured_s = time.perf_counter() - t
            guess = estimate.seconds(estimate.plan(cfg), speed)
            t = time.perf_counter()
            job = run.wait(run.submit(cfg, name=name), timeout_s=3600)
            actual = time.perf_counter() - t
            if job.state != "done":
                print(f"{name}: the job ended {job.state}: {job.error}", file=sys.stderr)
                return 1
            n = estimate.plan(cfg).n_train
            print(f"{name:12s} {cfg.epochs} epoch(s) of {n:,} images: estimate {guess:6.1f} s, "
                  f"actual {actual:6.1f} s, ratio {guess / actual:.2f} (measuring took {measured_s:.1f} s; "
                  f"{speed.train_per_s:,.0f} images/s, start {speed.startup_s:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

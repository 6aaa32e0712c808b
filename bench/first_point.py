"""Start to the first curve point: a run submitted as the Train page does, cold (a new interpreter loads
Python, torch and the optimiser's first step) and warm (a standby did that before Start,
jobs/standby.py), interleaved, with the app's job settings (jobs/background.py: nice 10, cores − 1 threads).

    python bench/first_point.py [--preset quick] [--repeat 3]

Prints each try and the medians: seconds from the submit to the first step event in metrics.jsonl
(what the live curve draws), and to the run's end is not waited for: each run is stopped at once.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jobs import background, process, standby  # noqa: E402
from jobs import queue as jobs  # noqa: E402
from model import presets  # noqa: E402
from train import run  # noqa: E402


def first_step_s(root: Path, cfg, warm: bool) -> float:
    if warm:
        run.warm_standby(root)
        process.wait_until(lambda: standby.ready_count(root), bool, 300, root / standby.DIR, interval_s=0.2)
        time.sleep(1)  # let its warm-up's CPU settle, as a teacher reading the form would
    t = time.perf_counter()
    folder = run.submit(cfg, name="first point", root=root)
    events = folder / "metrics.jsonl"

    def step_seen():
        try:
            return any(json.loads(line).get("kind") == "step" for line in events.read_text().splitlines())
        except (OSError, ValueError):
            return False
    process.wait_until(step_seen, bool, 300, folder, interval_s=0.02)
    took = time.perf_counter() - t
    jobs.stop(folder)
    jobs.wait(folder, 300)
    return took


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="quick", choices=list(presets.PRESETS))
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args(argv)
    os.environ.update(background.serving_env())
    os.environ[standby.SWITCH] = "1"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} cores, jobs at nice {os.environ[background.NICE]} with "
          f"{os.environ[background.THREADS]} thread(s); load average {load:.1f} at the start")
    cfg = replace(presets.get(a.preset).train, epochs=1)
    got = {"cold": [], "warm": []}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["DIGITLAB_RUNS"] = str(root)
        for i in range(a.repeat):
            for how in ("cold", "warm"):
                got[how].append(first_step_s(root, cfg, how == "warm"))
                print(f"try {i + 1} {how}: first curve point {got[how][-1]:.2f} s after the submit", flush=True)
    cold, warm = statistics.median(got["cold"]), statistics.median(got["warm"])
    print(f"median: cold {cold:.2f} s, warm {warm:.2f} s ({cold / warm:.1f}× sooner); target ≤ 2 s: "
          f"{'met' if warm <= 2 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

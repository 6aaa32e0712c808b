"""Load test of the Draw page: N students at once, each drawing K strokes; the server's answer times.

    python -m bench.load --sessions 20 --strokes 3                  # a class drawing
    python -m bench.load --sessions 20 --strokes 3 --with-training  # ... while a CPU training job runs
    python -m bench.load --sessions 40 --strokes 3                  # a big class: no errors, every answer
    python -m bench.load --all                                      # the three above, one after another
    python -m bench.load --sessions 40 --strokes 6 --wall           # the class wall open, drawings saved
    python -m bench.load --capture                                  # re-record bench/load_strokes.json
    python -m bench.load --sessions 30 --strokes 10 --with-kaggle   # ... while one session scores train.csv

It starts the app itself on a free loopback port (with an empty runs folder), opens N light websocket
clients (bench/load_client.py, no browser), and prints per-stroke latency (send → both answers, and
→ end of the rerun) p50/p95/max, errors, the server's CPU seconds per stroke, and the time for N
pages to load at once (the static files a real browser fetched, then the first run of the page).
Students think between strokes (--think seconds, jittered), as a class does; --think 0 hammers.
With --with-kaggle, one more session (a real browser, bench/load_kaggle.py) uploads a Kaggle-shaped
42,000-row train.csv made from MNIST to the Evaluate page, and the class starts drawing once it is
sent; the report says how long the scores took and whether the class drew while they were computed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import psutil

from bench.load_client import Run, Student

STROKES = Path(__file__).with_name("load_strokes.json")
SCENARIOS = {"20": dict(sessions=20, training=False), "20+training": dict(sessions=20, training=True),
             "40": dict(sessions=40, training=False)}


@contextlib.contextmanager
def app_server(runs: Path, baseline: bool = False, timeout_s: float = 90):
    """`streamlit run app.py` on a free 127.0.0.1 port; yields (url, psutil.Process); stops it by its pid.

    `baseline` turns Streamlit's gc.collect after every rerun back on (.streamlit/config.toml turns it
    off), to compare. Training jobs then run at normal priority with torch's threads (see scenario)."""
    from tests.browser import streamlit_process
    undo = ["--runner.postScriptGC", "true"] if baseline else []
    env = {"DIGITLAB_RUNS": str(runs), "DIGITLAB_DRAWINGS": str(runs / "drawings"),  # never the class's own
           "DIGITLAB_STANDBY": "0"}  # every session is the teacher here: no warm training process besides
    with streamlit_process(undo, env, runs / "streamlit.log", timeout_s) as (url, proc):
        yield url, psutil.Process(proc.pid)


def cpu_s(p: psutil.Process) -> float:
    t = p.cpu_times()
    return t.user + t.system


def worker_cpu_s(p: psutil.Process) -> float:
    """CPU seconds of the server's answer worker (ui/models.py: a spawned child), 0 before it starts.
    The server's own CPU is what its one GIL allows; this is spent beside it, on another core."""
    total = 0.0
    for child in p.children():
        try:
            if any("spawn_main" in part for part in child.cmdline()):
                total += cpu_s(child)
        except psutil.Error:  # it ended meanwhile
            pass
    return total


def pct(xs: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank: p95 of 60 strokes is the 57th slowest, not an interpolation."""
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, int(round(q * len(s) + 0.5)) - 1))] if s else float("nan")


def summary(xs: list[float]) -> str:
    if not xs:
        return "none"
    return f"p50 {statistics.median(xs):.2f} s  p95 {pct(xs, 0.95):.2f} s  max {max(xs):.2f} s  (n={len(xs)})"


@dataclasses.dataclass
class Result:
    sessions: int
    strokes: list[Run]
    loads: list[float]
    load_wall: float
    load_cpu: float
    stroke_cpu: float
    errors: list[str]
    training: dict | None = None
    kaggle: dict | None = None
    rss_mb: float = 0.0
    worker_cpu: float = 0.0  # the answer worker's, while the students drew
    client_cpu: tuple[float, float] = (0.0, 0.0)  # this script's own CPU seconds: page loads, strokes
    wall: dict | None = None  # --wall: bench/load_wall.py's figures


async def drive(url: str, server: psutil.Process, sessions: int, strokes: int, think: float,
                data: dict, seed: int = 0, make=Student) -> Result:
    rng = random.Random(seed)
    strokes_data = data["strokes"]
    students = [make(url) for _ in range(sessions)]
    errors: list[str] = []

    async def load(s: Student) -> float:
        t0 = time.perf_counter()
        await s.fetch_assets(data["assets"])
        run = await s.open()
        errors.extend(f"page load: {e}" for e in run.errors)
        return (run.finished or time.perf_counter()) - t0

    cpu0, t0, me0 = cpu_s(server), time.perf_counter(), time.process_time()
    loads = await asyncio.gather(*(load(s) for s in students))
    load_wall, load_cpu = time.perf_counter() - t0, cpu_s(server) - cpu0
    client_cpu = time.process_time() - me0

    async def draw(i: int, s: Student) -> list[Run]:
        runs = []
        await asyncio.sleep(rng.uniform(0, think))  # students don't lift the pen in step
        for k in range(strokes):
            drawn = strokes_data[(i + k) % len(strokes_data)]
            run = await s.stroke(drawn)
            run.drawn = drawn["digit"]
            if run.answered is None and not run.errors:
                run.errors.append(f"no answer (digits seen: {run.digits})")
            errors.extend(f"stroke: {e}" for e in run.errors)
            runs.append(run)
            await asyncio.sleep(rng.uniform(0.5, 1.5) * think)
        return runs

    cpu0, worker0, me0 = cpu_s(server), worker_cpu_s(server), time.process_time()
    per_student = await asyncio.gather(*(draw(i, s) for i, s in enumerate(students)))
    stroke_cpu, worker_cpu = cpu_s(server) - cpu0, worker_cpu_s(server) - worker0
    client_cpu = (client_cpu, time.process_time() - me0)
    await asyncio.gather(*(s.close() for s in students))
    if missing := sum(s.missing_assets for s in students):
        print(f"warning: {missing} captured static files are gone (another version?): run --capture again")
    runs = [r for rs in per_student for r in rs]
    return Result(sessions, runs, loads, load_wall, load_cpu, stroke_cpu, errors, client_cpu=client_cpu,
                  worker_cpu=worker_cpu)


def start_training(runs: Path, subset: int, epochs: int) -> Path:
    """A CPU job through the jobs API, as the Train page starts one (in the app's process, which app.py has
    marked as serving: this script stands in for it)."""
    from jobs import background
    from model.presets import get
    from train import run
    background.mark_serving()  # keeps DIGITLAB_TRAIN_* already set, as --baseline does
    cfg = dataclasses.replace(get("cnn").train, epochs=epochs, subset=subset, device="cpu")
    return run.submit(cfg, name="load-test", root=runs)


def job_process(folder: Path) -> dict:
    """The running job's priority and thread count, as the operating system sees them."""
    from jobs import folder as rundir
    try:
        p = psutil.Process(int(rundir.read_status(folder).get("pid")))
        return {"nice": p.nice(), "os_threads": p.num_threads()}
    except (TypeError, ValueError, psutil.Error):
        return {"nice": None}


def training_report(folder: Path, timeout_s: float) -> dict:
    from jobs import queue as jobs
    try:
        run = jobs.wait(folder, timeout_s=timeout_s)
    except TimeoutError as e:
        return {"state": "timeout", "error": str(e)}
    return {"state": run.state, "seconds": run.metrics.get("seconds"), "test_acc": run.metrics.get("test_acc"),
            "error": run.error}


def report(name: str, r: Result) -> None:
    answered = [x.answered - x.started for x in r.strokes if x.answered is not None]
    finished = [x.finished - x.started for x in r.strokes if x.finished is not None]
    n = len(r.strokes)
    print(f"\n== {name}: {r.sessions} sessions, {n} strokes   load average {os.getloadavg()[0]:.2f} (1 min)")
    print(f"page load, all at once: wall {r.load_wall:.2f} s; per page {summary(r.loads)}; "
          f"server CPU {r.load_cpu / max(r.sessions, 1):.3f} s per page")
    print(f"stroke → both answers: {summary(answered)}")
    print(f"stroke → end of rerun: {summary(finished)}")
    wrong = sum(x.drawn is not None and x.drawn != int(x.digits[-1]) for x in r.strokes if x.digits)
    print(f"answers that differ from the digit drawn (CNN): {wrong}/{len(answered)}")
    print(f"server CPU per stroke: {r.stroke_cpu / max(n, 1):.3f} s   answered {len(answered)}/{n}   "
          f"errors {len(r.errors)}   server memory {r.rss_mb:.0f} MB")
    print(f"answer worker CPU per stroke, beside it: {r.worker_cpu / max(n, 1):.3f} s")
    for e in sorted(set(r.errors))[:10]:
        print(f"  error: {e}")
    print(f"(this client's own CPU on the same machine: {r.client_cpu[0]:.1f} s loading pages, "
          f"{r.client_cpu[1]:.1f} s drawing)")
    if r.training is not None:
        print(f"training job: {r.training}")
    if r.kaggle is not None:
        print(f"Kaggle train.csv session (upload → scores on the page): {r.kaggle}")
    if r.wall is not None:
        from bench import load_wall
        load_wall.report(r.wall, summary)


def scenario(name: str, sessions: int, strokes: int, think: float, training: bool, a) -> Result:
    if a.baseline:  # the job at normal priority with torch's threads, as before jobs/background.py;
        # the Evaluate page's parsing and scoring in the server's own process, as before ui/evaluate/heavy.py
        os.environ.update({"DIGITLAB_TRAIN_NICE": "0", "DIGITLAB_TRAIN_THREADS": "0", "DIGITLAB_HEAVY_WORKER": "0"})
    data = json.loads(STROKES.read_text())
    with tempfile.TemporaryDirectory(prefix="digitlab-load-") as tmp:
        runs = Path(tmp)
        kaggle = None
        if a.with_kaggle:
            from bench.load_kaggle import make_train_csv
            t0 = time.perf_counter()
            csv = make_train_csv(runs, a.kaggle_rows)
            print(f"train.csv: {a.kaggle_rows:,} rows, {csv.stat().st_size / 2**20:.0f} MB, "
                  f"made in {time.perf_counter() - t0:.0f} s")
        with app_server(runs, a.baseline) as (url, server):
            warm = asyncio.run(drive(url, server, 1, 1, 0, data))  # the teacher opens the page first
            if warm.errors:
                print(f"warm-up errors: {warm.errors}")
            job = start_training(runs, a.train_subset, a.train_epochs) if training else None
            if job is not None:
                from jobs import queue as jobs
                jobs.wait(job, 120, states=("running", "done", "stopped", "failed", "interrupted"))
                time.sleep(a.train_lead)  # running: loading MNIST, then training; the class draws meanwhile
                seen = job_process(job)
            if a.with_kaggle:
                from bench.load_kaggle import KaggleSession
                kaggle = KaggleSession(url, csv, a.kaggle_rows)
                kaggle.start()
                kaggle.uploaded.wait(900)
            if a.wall:
                from bench import load_wall
                r = asyncio.run(load_wall.drive(drive, url, server, sessions, strokes, think, data, a.seed,
                                                a.save_every))
            else:
                r = asyncio.run(drive(url, server, sessions, strokes, think, data, seed=a.seed))
            drawn = time.perf_counter()
            r.rss_mb = server.memory_info().rss / 2**20
            if kaggle is not None:
                kaggle.join(900)
                overlap = kaggle.finished is not None and kaggle.finished > drawn
                r.kaggle = {"seconds": kaggle.seconds, "error": kaggle.error or None,
                            "class drew while it was scored": overlap}
            if job is not None:
                r.training = {**training_report(job, a.train_timeout), **seen}
    report(name, r)
    return r


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    p.add_argument("--sessions", type=int, default=20)
    p.add_argument("--strokes", type=int, default=3)
    p.add_argument("--think", type=float, default=2.0, help="seconds between a student's strokes (jittered ±50%%)")
    p.add_argument("--with-training", action="store_true", help="a CPU training job (cnn preset) runs meanwhile")
    p.add_argument("--all", action="store_true", help="20 sessions, 20 with training, 40 sessions")
    p.add_argument("--capture", action="store_true", help="record strokes and assets from a real browser")
    p.add_argument("--train-subset", type=int, default=6000)
    p.add_argument("--train-epochs", type=int, default=2)
    p.add_argument("--train-lead", type=float, default=3.0, help="seconds the job runs before the class draws")
    p.add_argument("--train-timeout", type=float, default=600)
    p.add_argument("--with-kaggle", action="store_true",
                   help="one more session uploads a Kaggle-shaped train.csv to the Evaluate page meanwhile")
    p.add_argument("--kaggle-rows", type=int, default=42_000, help="rows of that train.csv (Kaggle's: 42,000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--wall", action="store_true",
                   help="the class wall open meanwhile, and students save drawings (bench/load_wall.py)")
    p.add_argument("--save-every", type=int, default=3, help="with --wall: a student saves every N-th drawing")
    p.add_argument("--baseline", action="store_true",
                   help="gc after every rerun, training jobs at normal priority, Evaluate's heavy work in the "
                        "server's process: the old settings, to compare")
    return p.parse_args(argv)


def main(argv=None) -> int:
    a = parse_args(argv)
    if a.capture:
        from bench.load_capture import capture
        capture(STROKES)
        return 0
    loadavg = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPUs{' · BASELINE settings' if a.baseline else ''}; load average before: {loadavg}")
    todo = SCENARIOS if a.all else {f"{a.sessions}{'+training' if a.with_training else ''}"
                                    f"{'+kaggle' if a.with_kaggle else ''}{'+wall' if a.wall else ''}":
                                    dict(sessions=a.sessions, training=a.with_training)}
    bad = 0
    for name, s in todo.items():
        r = scenario(name, s["sessions"], a.strokes, a.think, s["training"], a)
        bad += bool(r.errors) or any(x.answered is None for x in r.strokes)
        bad += r.training is not None and r.training.get("state") != "done"
        bad += r.kaggle is not None and (r.kaggle["seconds"] is None or bool(r.kaggle["error"]))
        bad += r.wall is not None and bool(r.wall["errors"] or any(x.errors for x in r.wall["saves"]))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())

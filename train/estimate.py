"""Before a run starts: how long it will take on this machine, how much memory it needs, and whether it is
too small to learn anything.

- Time: the run's training images and scoring at the throughput measured for that model, batch and
  optimiser on that device, plus the job's start (Python, torch, MNIST, the first slow steps). The
  throughput is measured once, by a child process that trains exactly as a job does (`train.engine.train`,
  with the job's threads and priority from jobs/background.py) on a slice of MNIST, and kept in
  `RUNS/.speed.json`, so a rerun, another session or a restarted server finds it. A child, not the server:
  torch's thread count belongs to the whole process (the students' answers run on one thread), and a
  measurement that takes long must not hold up anyone else.
- Memory: train/memory.py (the form and the CLI refuse a run that cannot fit).
- Advice (`advice`): a run longer than a lesson, or one with too few steps or images to learn anything.

This lives in train/ because every figure is the engine's: its steps, its scoring batches, its data on the
device. `python -m train.estimate --preset quick [--epochs N]` prints the time, the memory and the advice.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from jobs import background
from jobs import folder as rundir
from model import presets
from model.nets import config_to_dict
from model.presets import Caution, TrainConfig
from train.memory import check_memory, device, memory, size_text

LESSON_S = 600          # a run longer than this outlasts the part of a lesson it is for
MIN_STEPS = 300         # fewer optimiser steps than this barely move the weights (seed 004's try: 200 → 19%)
MIN_IMAGES = 10_000     # fewer images seen in all than this cannot show ten digits their variety
TEST_IMAGES = 10_000    # the MNIST test set, scored after every epoch
MEASURE_S = 0.6         # seconds of timed steps per measurement: steady enough, short enough to wait for
MEASURE_TIMEOUT_S = 120


# ---------------------------------------------------------------------------------------------------
# time


@dataclass(frozen=True)
class Speed:
    train_per_s: float   # training images a second, steps only, once warm
    eval_per_s: float    # images scored a second
    startup_s: float     # the job's start to its steady steps: Python, torch, MNIST, the first slow steps
    threads: int         # torch threads it was measured with (the job's)
    batch: int           # the batch it was timed at (smaller than the run's only for very slow steps)
    busy: bool = False   # measured while another job held the device: measured again once it is free


def speed_key(cfg: TrainConfig) -> str:
    """What the throughput depends on: the model, the batch, the step's work, the device and its threads."""
    import torch
    return json.dumps({"model": config_to_dict(cfg.model), "batch": cfg.batch_size, "optimizer": cfg.optimizer,
                       "loss": cfg.loss, "augment": cfg.augment, "device": device(cfg),
                       "threads": os.environ.get(background.THREADS) or "default", "torch": torch.__version__,
                       **({"teacher": cfg.teacher} if cfg.teacher else {})},  # its forward pass is part of a step
                      sort_keys=True)


def _cache_file() -> Path:
    return rundir.runs_dir() / ".speed.json"


def _read_cache() -> dict:
    try:
        return json.loads(_cache_file().read_text())
    except (OSError, ValueError):  # none yet, or damaged: measured again, never a crash
        return {}


def cached(cfg: TrainConfig) -> Speed | None:
    """The measured throughput of this configuration on this machine, if it was measured before."""
    entry = _read_cache().get(speed_key(cfg))
    try:
        return Speed(**entry) if entry else None
    except TypeError:
        return None


def measure(cfg: TrainConfig, busy: bool = False) -> Speed:
    """Time `cfg`'s steps in a child process that trains as a job does; cache and return the result.

    Raises RuntimeError with the child's last line when it fails (or takes over MEASURE_TIMEOUT_S)."""
    key = speed_key(cfg)
    try:
        done = subprocess.run([sys.executable, "-m", "train.estimate", "--child"], capture_output=True, text=True,
                              input=json.dumps(presets.train_config_to_dict(cfg)), timeout=MEASURE_TIMEOUT_S,
                              cwd=Path(__file__).resolve().parent.parent)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"measuring took over {MEASURE_TIMEOUT_S} s") from None
    if done.returncode != 0:
        raise RuntimeError((done.stderr.strip().splitlines() or ["the measurement failed"])[-1])
    speed = Speed(**json.loads(done.stdout.strip().splitlines()[-1]), busy=busy)
    table = _read_cache()
    table[key] = asdict(speed)
    path = _cache_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".speed.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(table))
    os.replace(tmp, path)  # whole or not at all; two sessions measuring at once only lose a cache entry
    return speed


def _timed(cfg: TrainConfig, data, batch: int, steps: int, scored: int, teacher=None):
    """(seconds of the first epoch's steps, of the second's, of scoring `scored` images, the model): two
    epochs of `steps` steps at `batch` through the engine itself, on a slice of `data` (with `teacher`, the
    model cfg.teacher names)."""
    from train.data import MNIST
    from train.engine import train
    idx = np.arange(batch * steps) % len(data.x_train)
    small = MNIST(data.x_train[idx], data.y_train[idx], data.x_test[:scored], data.y_test[:scored])
    # the lr cannot change the time of a step, but a huge one could diverge and end the measurement
    c = replace(cfg, batch_size=batch, epochs=2, lr=min(cfg.lr, 1e-4), val_size=0, subset=0, max_steps=0,
                class_drawings=0, early_stopping="none", test_protocol="every_epoch")
    ev = []
    result = train(c, on_event=lambda e: ev.append(e) if e["kind"] == "epoch" else None, data=small,
                   teacher=teacher)
    first, second = ev[0]["train_s"], ev[1]["train_s"] - ev[0]["train_s"]
    return first, second, max(ev[1]["seconds"] - second, 1e-6), result.model


def _ends(model, cfg: TrainConfig) -> float:
    """Seconds a job spends outside its process's training: its supervisor's start (`python -m jobs --run`,
    an interpreter and psutil) and the checkpoint written at the end. Timed, not guessed: on a slow disk or
    a busy machine both grow."""
    import tempfile

    from model import store
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import jobs.supervisor"], cwd=Path(__file__).resolve().parent.parent,
                   check=True, capture_output=True)
    with tempfile.TemporaryDirectory() as tmp:
        store.save(tmp, model, cfg.model, name="speed")
    return time.perf_counter() - t


def _child() -> int:
    """`python -m train.estimate --child`: the TrainConfig on stdin; its Speed (less `busy`) on stdout.

    Its start is a job's: an interpreter, torch, MNIST, the engine, the first slow steps (the first
    optimiser step imports torch._dynamo, about 2 s here). `startup_s` is everything from this process's
    creation to the end of the first, warm-up measurement, less that measurement's steady steps, plus
    what a job adds outside its process (`_ends`)."""
    import psutil
    import torch

    from train.data import MNIST, DataError, load_mnist
    from train.run import teacher
    background.apply()  # the job's threads and priority
    cfg = presets.train_config_from_dict(json.load(sys.stdin))
    try:
        data = load_mnist(download=False)
    except (DataError, OSError):  # no MNIST yet: the job fetches it first; random pixels time the same
        rng = np.random.default_rng(0)
        data = MNIST(*(rng.integers(0, 256, (n, 28, 28), np.uint8) if i % 2 == 0 else rng.integers(0, 10, n, np.uint8)
                       for i, n in enumerate((60_000, 60_000, 10_000, 10_000))))
    taught = teacher(cfg.teacher)  # loaded once, as a run loads it: its forward pass is part of each step
    probe = min(cfg.batch_size, 32)
    warm_first, warm_second, _, model = _timed(cfg, data, probe, 2, 32, taught)
    warm = time.time() - psutil.Process().create_time() - warm_second  # all but the second epoch's steady steps
    per_image = max(warm_second / (2 * probe), 1e-7)
    batch = cfg.batch_size if cfg.batch_size * per_image <= 1.0 else max(probe, int(1.0 / per_image))
    steps = min(5000, max(2, math.ceil(MEASURE_S / (batch * per_image))))
    scored = min(2000, max(100, int(0.3 / per_image)))  # scoring an image costs about a third of a step's
    _, second, score, _ = _timed(cfg, data, batch, steps, scored, taught)
    print(json.dumps({"train_per_s": batch * steps / second, "eval_per_s": scored / score,
                      "startup_s": warm + _ends(model, cfg), "threads": torch.get_num_threads(), "batch": batch}))
    return 0


@dataclass(frozen=True)
class Plan:
    n_train: int    # training images, the class's drawings included
    epochs: int     # epochs it runs (fewer than asked when max_steps ends it first)
    steps: int      # optimiser steps in all
    images: int     # training images seen in all
    scored: int     # images scored after each epoch (validation and test)


def plan(cfg: TrainConfig, drawings: int = 0) -> Plan:
    """The work of `cfg` in images and steps (`drawings`: images the class's drawings add). Early stopping
    may end it sooner: this is the most it does."""
    n = (cfg.subset or 60_000 - cfg.val_size) + drawings
    per_epoch = math.ceil(n / cfg.batch_size)
    steps = min(per_epoch * cfg.epochs, cfg.max_steps or math.inf)
    epochs = math.ceil(steps / per_epoch)
    return Plan(n, epochs, steps, min(n * cfg.epochs, steps * cfg.batch_size), cfg.val_size + TEST_IMAGES)


def seconds(p: Plan, s: Speed) -> float:
    """The whole job on this machine: its start, its steps, and the scoring after each epoch."""
    return s.startup_s + p.images / s.train_per_s + p.epochs * p.scored / s.eval_per_s


def advice(cfg: TrainConfig, p: Plan, total_s: float | None) -> list[Caution]:
    """Warnings before Start: longer than a lesson, or too small to learn anything (and why)."""
    out = []
    if total_s is not None and total_s > LESSON_S:
        out.append(Caution("too_long", f"about {total_s / 60:.0f} min: longer than a lesson's {LESSON_S // 60} min",
                           minutes=total_s / 60, lesson=LESSON_S // 60))
    if p.steps < MIN_STEPS:
        out.append(Caution("few_steps", f"only {p.steps:,} learning steps ({p.images:,} images in batches of "
                           f"{cfg.batch_size:,}); a model needs a few hundred to learn anything",
                           steps=p.steps, images=p.images, batch=cfg.batch_size, least=MIN_STEPS))
    if p.images < MIN_IMAGES:
        out.append(Caution("few_images", f"it sees only {p.images:,} images in all ({p.epochs} × {p.n_train:,}): "
                           "too few to learn what ten digits look like", images=p.images, epochs=p.epochs,
                           n=p.n_train, least=MIN_IMAGES))
    base = presets.PRESETS.get(cfg.preset)
    if base is not None and base.reported_acc is not None:
        article = plan(base.train)
        if p.images * 2 < article.images:  # less than half the article's training: its figure is out of reach
            out.append(Caution("short_of_article", f"the article trained {article.epochs} epochs on "
                               f"{article.n_train:,} images, this run {p.epochs} on {p.n_train:,}",
                               epochs=article.epochs, n=article.n_train, our_epochs=p.epochs, our_n=p.n_train))
    return out


def main(argv=None) -> int:
    a = argparse.ArgumentParser(prog="python -m train.estimate", description=__doc__.splitlines()[0])
    a.add_argument("--preset", default="quick", choices=list(presets.PRESETS))
    a.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    for flag, kind in (("--epochs", int), ("--batch-size", int), ("--subset", int), ("--device", str),
                       ("--teacher", str)):
        a.add_argument(flag, type=kind)
    args = a.parse_args(argv)
    if args.child:
        return _child()
    changes = {"epochs": args.epochs, "batch_size": args.batch_size, "subset": args.subset, "device": args.device,
               "teacher": args.teacher}
    cfg = replace(presets.get(args.preset).train, **{k: v for k, v in changes.items() if v is not None})
    try:
        presets.validate_train(cfg)
        m = memory(cfg)
        print(f"memory: about {size_text(m.need)} of {size_text(m.free)} free on {m.device}")
        check_memory(cfg)
    except ValueError as e:
        print(f"python -m train.estimate: refused: {e}", file=sys.stderr)
        return 2
    try:
        p, s = plan(cfg), cached(cfg) or measure(cfg)
    except RuntimeError as e:  # the measurement's own last line: a teacher that cannot load, a device missing
        print(f"python -m train.estimate: cannot measure: {e}", file=sys.stderr)
        return 1
    print(f"{args.preset}: {p.epochs} epochs of {p.n_train:,} images, {p.steps:,} steps: about {seconds(p, s):.0f} s "
          f"({s.train_per_s:,.0f} images/s training, {s.eval_per_s:,.0f} scoring, {s.startup_s:.1f} s to start, "
          f"{s.threads} threads)")
    for w in advice(cfg, p, seconds(p, s)):
        print(f"warning: {w}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

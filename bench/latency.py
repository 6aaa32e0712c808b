"""Latency of one Draw-page answer: preprocess a 280×280 canvas drawing, then both shipped models.

    python bench/latency.py [--n 300] [--photo-runs 20] [--threads 1,all] [--baseline RUN_OR_FOLDER | --contiguous]

Prints p50/p90 of each stage and of the whole, in milliseconds, for each torch thread count asked
for (torch.set_num_threads; "all" is torch's default, one per core), then the preprocessing of a
4000×3000 photo, `--photo-runs` times. `--baseline` times one more checkpoint (an earlier shipped CNN,
say) and the shipped CNN once more on each drawing, each right after the MLP, taking turns at going first,
and prints the shipped CNN's p50 against it. `--contiguous` makes the baseline the shipped CNN itself with its
weights laid out contiguously, as checkpoints were loaded before `model.nets.ready_to_answer`.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import synth  # noqa: E402
from model.predict import load, probabilities  # noqa: E402
from model.preprocess import preprocess  # noqa: E402
from model.store import CheckpointError  # noqa: E402


def pct(ts, q):
    return 1e3 * float(np.percentile(ts, q))


def thread_counts(spec: str, all_cores: int) -> list[int]:
    """'1,all' → [1, all_cores]."""
    return [all_cores if v.strip() == "all" else int(v) for v in spec.split(",")]


def time_drawings(images, models) -> dict[str, list[float]]:
    """Seconds per drawing of each stage, one drawing at a time, as the Draw page answers one request."""
    for m in models.values():  # warm-up: first calls allocate
        probabilities(m, np.zeros((28, 28), np.float32))
    stages = {"preprocess": [], "mlp": [], "cnn": [], "total": []}
    ab = {"cnn": [], "baseline": []} if "baseline" in models else {}
    for i, img in enumerate(images):
        t0 = time.perf_counter()
        pre = preprocess(img)
        t1 = time.perf_counter()
        probabilities(models["mlp"], pre.image)
        t2 = time.perf_counter()
        probabilities(models["cnn"], pre.image)
        t3 = time.perf_counter()
        for ts, dt in zip(stages.values(), (t1 - t0, t2 - t1, t3 - t2, t3 - t0)):
            ts.append(dt)
        # the same drawing again through each CNN, right after the MLP, which one goes first taking turns:
        # the second is ~15% faster only for going second (the shipped CNN against itself shows it)
        for name in list(ab)[:: 1 if i % 2 else -1]:
            probabilities(models["mlp"], pre.image)
            t = time.perf_counter()
            probabilities(models[name], pre.image)
            ab[name].append(time.perf_counter() - t)
    stages |= {f"{name}, A/B": ts for name, ts in ab.items()}
    return stages


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=300, help="canvas drawings timed")
    p.add_argument("--photo-runs", type=int, default=20, help="timed preprocessings of the 4000×3000 photo")
    p.add_argument("--threads", default="1,all", help="torch thread counts, comma-separated; all = one per core")
    p.add_argument("--baseline", help="a checkpoint folder (or shipped name) timed beside the shipped CNN")
    p.add_argument("--contiguous", action="store_true",
                   help="the baseline is the shipped CNN in the contiguous layout (how it answered before)")
    a = p.parse_args(argv)
    if a.baseline and a.contiguous:
        p.error("--baseline and --contiguous both name the baseline: give one")
    images, _ = synth.canvas_drawings(a.n, seed=7)
    models = {name: load(name)[0] for name in ("mlp", "cnn")}
    if a.baseline:
        try:
            models["baseline"] = load(a.baseline)[0]
        except CheckpointError as e:
            p.error(f"--baseline: {e}")
    if a.contiguous:
        models["baseline"] = copy.deepcopy(models["cnn"]).to(memory_format=torch.contiguous_format)
    for threads in thread_counts(a.threads, torch.get_num_threads()):
        torch.set_num_threads(threads)
        stages = time_drawings(images, models)
        print(f"{a.n} canvas drawings (280×280), torch threads {torch.get_num_threads()}")
        for k, ts in stages.items():
            print(f"  {k:14s} p50 {pct(ts, 50):6.2f} ms   p90 {pct(ts, 90):6.2f} ms")
        if "baseline" in models:
            print(f"  cnn / baseline p50: {pct(stages['cnn, A/B'], 50) / pct(stages['baseline, A/B'], 50):.2f}")
    # a phone photo: one of the synthetic paper photos enlarged to 4000×3000 (NumPy and Pillow: no torch)
    photo = np.asarray(Image.fromarray(synth.paper_photos(1, seed=3)[0][0]).resize((3000, 4000)))
    ts = []
    for _ in range(a.photo_runs):
        t0 = time.perf_counter()
        preprocess(photo)
        ts.append(time.perf_counter() - t0)
    print(f"preprocess of a 4000×3000 RGB photo, {a.photo_runs} runs: p50 {pct(ts, 50):.1f} ms   "
          f"p90 {pct(ts, 90):.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

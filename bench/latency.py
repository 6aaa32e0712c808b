"""Latency of one Draw-page answer: preprocess a 280×280 canvas drawing, then both shipped models.

    python bench/latency.py [--n 300]

Prints p50/p90 of each stage and of the whole, in milliseconds, single-threaded as one request is.
"""

from __future__ import annotations

import argparse
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


def pct(ts, q):
    return 1e3 * float(np.percentile(ts, q))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=300)
    a = p.parse_args(argv)
    images, _ = synth.canvas_drawings(a.n, seed=7)
    models = {name: load(name)[0] for name in ("mlp", "cnn")}
    for m in models.values():  # warm-up: first calls allocate
        probabilities(m, np.zeros((28, 28), np.float32))
    stages = {"preprocess": [], "mlp": [], "cnn": [], "total": []}
    for img in images:
        t0 = time.perf_counter()
        pre = preprocess(img)
        t1 = time.perf_counter()
        probabilities(models["mlp"], pre.image)
        t2 = time.perf_counter()
        probabilities(models["cnn"], pre.image)
        t3 = time.perf_counter()
        for ts, dt in zip(stages.values(), (t1 - t0, t2 - t1, t3 - t2, t3 - t0)):
            ts.append(dt)
    print(f"{a.n} canvas drawings (280×280), torch threads {torch.get_num_threads()}")
    for k, ts in stages.items():
        print(f"  {k:10s} p50 {pct(ts, 50):6.2f} ms   p90 {pct(ts, 90):6.2f} ms")
    # a phone photo: one of the synthetic paper photos enlarged to 4000×3000
    photo = np.asarray(Image.fromarray(synth.paper_photos(1, seed=3)[0][0]).resize((3000, 4000)))
    ts = []
    for _ in range(20):
        t0 = time.perf_counter()
        preprocess(photo)
        ts.append(time.perf_counter() - t0)
    print(f"  preprocess of a 4000×3000 RGB photo: p50 {pct(ts, 50):.1f} ms   p90 {pct(ts, 90):.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

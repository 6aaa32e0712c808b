"""Does the pipeline leave MNIST as MNIST? Accuracy of the shipped models on the MNIST test set,
raw tensors against the same images through model.preprocess.preprocess, per model.

    python bench/mnist_pipeline.py [--n 10000] [--models mlp cnn]

Also prints how many 28x28 images come out unchanged (max difference under 1/100), moved by a
whole pixel only, or changed otherwise (a stroke-width change or a refit).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.predict import load, probabilities  # noqa: E402
from model.preprocess import preprocess  # noqa: E402
from train.data import load_mnist  # noqa: E402


def changes(raw: np.ndarray, out: np.ndarray) -> dict[str, int]:
    """Count images unchanged, only shifted by one pixel, or changed otherwise."""
    counts = {"unchanged": 0, "shifted 1 px": 0, "changed": 0}
    for a, b in zip(raw, out, strict=True):
        if np.abs(a - b).max() < 0.01:
            counts["unchanged"] += 1
        elif min(np.abs(np.roll(a, (dy, dx), (0, 1)) - b).max() for dy in (-1, 0, 1) for dx in (-1, 0, 1)) < 0.01:
            counts["shifted 1 px"] += 1
        else:
            counts["changed"] += 1
    return counts


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=10_000, help="test images (the first n)")
    p.add_argument("--models", nargs="+", default=["mlp", "cnn"])
    a = p.parse_args(argv)
    mnist = load_mnist()
    raw, y = mnist.x_test[: a.n] / 255.0, mnist.y_test[: a.n]
    t = time.perf_counter()
    pres = [preprocess(im) for im in mnist.x_test[: a.n]]
    dt = time.perf_counter() - t
    empty = sum(q.empty for q in pres)
    out = np.stack([np.zeros((28, 28), np.float32) if q.empty else q.image for q in pres])
    print(f"MNIST test, {len(y)} images; preprocess {1e3 * dt / len(y):.2f} ms per image; {empty} empty")
    print("  " + ", ".join(f"{k}: {v}" for k, v in changes(raw, out).items()))
    print(f"{'model':6s} {'raw':>8s} {'pipeline':>9s} {'diff':>7s}")
    for name in a.models:
        model, _ = load(name)
        acc_raw = float((probabilities(model, raw).argmax(1) == y).mean())
        acc_pipe = float((probabilities(model, out).argmax(1) == y).mean())
        print(f"{name:6s} {acc_raw:8.2%} {acc_pipe:9.2%} {100 * (acc_pipe - acc_raw):+6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

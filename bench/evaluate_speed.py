"""How long the Evaluate page's first scoring takes: each shipped model on the 10,000 MNIST test images.

    PYTHONPATH=. .venv/bin/python bench/evaluate_speed.py [--repeat 3]

This is the uncached work behind the page's first view of a model (the page then keeps the answers on
disk per checkpoint and data set). Prints the best of `repeat` runs per model, and its accuracy.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from model import store
from model.infer import probabilities
from model.paths import PRETRAINED
from train.data import load_mnist


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    data = load_mnist()
    x = data.x_test / np.float32(255)  # (10000, 28, 28) in [0, 1], as the page feeds it
    print(f"torch threads: {torch.get_num_threads()}")
    for name in ("mlp", "cnn"):
        model, _ = store.load(PRETRAINED / name)
        times = []
        for _ in range(a.repeat):
            t = time.perf_counter()
            p = probabilities(model, x)
            times.append(time.perf_counter() - t)
        print(f"{name}: {min(times):.2f} s for 10,000 images (best of {a.repeat}); "
              f"accuracy {(p.argmax(1) == data.y_test).mean():.2%}")


if __name__ == "__main__":
    main()

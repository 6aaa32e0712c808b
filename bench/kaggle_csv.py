"""Time our Kaggle CSV reader against pandas on a 28,000-row test.csv made from MNIST test images.

    .venv/bin/python bench/kaggle_csv.py [--rows 28000] [--repeat 3]

Prints the best of `repeat` runs for each reader, the ratio, and checks both read the same pixels.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from model.kaggle import kaggle_csv, read_kaggle_csv  # noqa: E402
from train.data import load_mnist  # noqa: E402


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=28_000)
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    d = load_mnist()
    idx = np.arange(a.rows) % len(d.x_test)  # 28,000 rows like Kaggle's test.csv: the 10k test images, repeated
    raw = kaggle_csv(d.x_test[idx]).encode()
    print(f"test.csv: {a.rows:,} rows, {len(raw) / 2**20:.1f} MB")
    ours_s, (x, _) = best(lambda: read_kaggle_csv(raw), a.repeat)
    print(f"model.kaggle.read_kaggle_csv: {ours_s:.2f} s")
    try:
        import pandas as pd
    except ImportError:
        print("pandas not installed: no baseline")
        return 0
    pd_s, df = best(lambda: pd.read_csv(io.BytesIO(raw), dtype=np.uint8), a.repeat)
    print(f"pandas.read_csv:              {pd_s:.2f} s")
    print(f"ours / pandas: {ours_s / pd_s:.2f}×; same pixels: {np.array_equal(df.to_numpy().reshape(-1, 28, 28), x)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

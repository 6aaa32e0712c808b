"""Seed 004's sweep: one model at a time (our engine) against all widths at once (train/sweep.py).

    python bench/sweep.py [--m 10,30,100,247,300] [--epochs 1] [--device auto]

Same recipe both ways: [784, m, 10] sigmoid, CE + L2 1e-4, SGD lr 0.01, batch 10, 50k/10k split.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.presets import get  # noqa: E402
from train.data import load_mnist  # noqa: E402
from train.engine import train  # noqa: E402
from train.sweep import sweep  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--m", default="10,30,100,247,300")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--device", default="auto")
    a = p.parse_args(argv)
    ms = [int(v) for v in a.m.split(",")]
    data = load_mnist()
    t = time.perf_counter()
    one_by_one = {}
    for m in ms:
        cfg = dataclasses.replace(get("seed004-mlp", k=1, m=m).train, epochs=a.epochs, device=a.device)
        one_by_one[m] = train(cfg, data=data).metrics["val_acc"]
    t_seq = time.perf_counter() - t  # includes each run's validation/test scoring, as a user waits for it
    t = time.perf_counter()
    batched = {r["m"]: r["val_acc"] for r in sweep([1], ms, a.epochs, device=a.device)}
    t_bat = time.perf_counter() - t
    for m in ms:
        print(f"m={m:4d}: one at a time {one_by_one[m]:.2%}, batched {batched[m]:.2%}")
    print(f"{len(ms)} widths × {a.epochs} epoch(s): one at a time {t_seq:.1f} s, batched {t_bat:.1f} s, "
          f"speed-up {t_seq / t_bat:.1f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

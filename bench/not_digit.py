"""How well the not-a-digit judge (model/judge.py) tells marks that are not digits from digits.

Non-digits: train/negatives.py's letters (drawn and typed), symbols, #, stars, asterisks, ticks,
arrows, triangles, squares, crosses and scribbles, through the app's preprocessing. Digits: MNIST test
(all 10,000, as they are) and bench/quality.py's drawings, stray-mark drawings, photos and fonts.
Both on bench/quality.py's two seeds, kept apart as there: "tuning" (1, look freely) and "test" (7919,
never tuned on; tests/test_not_digit.py asserts TARGETS on it). The judge trained on other seeds
(train/judge.py's TRAIN_SEEDS) and chose its threshold on a held-out share of those.

    python -m bench.not_digit [--sets tuning test] [--n 600]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import quality  # noqa: E402
from model import judge  # noqa: E402
from train import negatives  # noqa: E402
from train.data import load_mnist  # noqa: E402

# The targets: at least 90% of non-digits flagged, at most 1% of the digits of each set.
TARGETS = {"non-digits": 0.90, "digits": 0.01}


def flagged_share(images: np.ndarray) -> float:
    return float(judge.not_digit(images).mean()) if len(images) else 0.0


def figures(which: str, n: int = 600, mnist: bool = True) -> dict[str, dict[str, tuple[float, int]]]:
    """{"non-digits": {kind: (share flagged, n)}, "digits": {set: (share flagged, n)}} on one seed.
    Non-digits that preprocessing calls empty are left out (the page already says so); digits it
    calls empty are left out too (bench/quality.py counts them as its own misses)."""
    pictures, kinds = negatives.negatives(n, quality.SEEDS[which])
    seen, keep = negatives.seen(pictures)
    kinds = np.array(kinds)[keep]
    flags = judge.not_digit(seen)
    out = {"non-digits": {k: (float(flags[kinds == k].mean()), int((kinds == k).sum())) for k in negatives.KINDS
                          if (kinds == k).any()}}
    out["non-digits"]["all"] = (float(flags.mean()), len(flags))
    digits = {}
    if mnist:
        x = load_mnist().x_test / np.float32(255)
        digits["MNIST test"] = (flagged_share(x), len(x))
    for name, (x, _) in quality.make_sets(which, n).items():
        seen, _ = negatives.seen(x)
        digits[name] = (flagged_share(seen), len(seen))
    out["digits"] = digits
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=600, help="non-digits, and images per digit set (photos: half)")
    p.add_argument("--sets", nargs="+", choices=list(quality.SEEDS), default=["tuning"],
                   help="tuning (look freely) and/or test (what tests/test_not_digit.py asserts)")
    a = p.parse_args(argv)
    if judge.load() is None:
        print("no judge in model/pretrained/judge/: run python -m train.judge", file=sys.stderr)
        return 2
    print(f"judge threshold {judge.load()[1]['threshold']:.4f}")
    for which in a.sets:
        t = time.perf_counter()
        fig = figures(which, a.n)
        print(f"\n{which} sets (seed {quality.SEEDS[which]}), {time.perf_counter() - t:.0f} s")
        print(f"{'':12s} {'set':20s} {'n':>6s} {'flagged':>8s}  target")
        for group, rows in fig.items():
            for name, (share, k) in rows.items():
                target = TARGETS[group]
                if group == "non-digits":
                    mark = f"≥ {target:.0%} {'ok' if share >= target else 'MISSED'}" if name == "all" else ""
                else:
                    mark = f"≤ {target:.0%} {'ok' if share <= target else 'MISSED'}"
                print(f"{group:12s} {name:20s} {k:6d} {share:8.2%}  {mark}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

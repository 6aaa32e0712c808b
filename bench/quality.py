"""Accuracy of preprocessing + the shipped models on digits as people really make them.

Sets from bench/synth.py, never used in training: canvas drawings (random position, size 30–90%,
slant/rotation up to ±25°, brushes 3–40 px, stray dots, three encodings), photos of dark ink on uneven
paper, digits typed in the installed fonts, and multi-digit numbers for split_digits.

    python bench/quality.py [--n 600] [--models mlp cnn]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import synth  # noqa: E402
from model.predict import load, probabilities  # noqa: E402
from model.preprocess import preprocess, split_digits  # noqa: E402


def accuracy(model, images, labels) -> tuple[float, int]:
    """Share of images read correctly; an image that preprocessing calls empty counts as wrong."""
    pres = [preprocess(im) for im in images]
    ok = [i for i, p in enumerate(pres) if not p.empty]
    if not ok:
        return 0.0, len(images)
    preds = probabilities(model, np.stack([pres[i].image for i in ok])).argmax(1)
    correct = int((preds == np.asarray(labels)[ok]).sum())
    return correct / len(images), len(images) - len(ok)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=600, help="images per set")
    p.add_argument("--models", nargs="+", default=["mlp", "cnn"])
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    t = time.perf_counter()
    draw_x, draw_y = synth.canvas_drawings(a.n, a.seed)
    photo_x, photo_y = synth.paper_photos(a.n // 2, a.seed)
    font_x, font_y, fonts = synth.typed_digits(a.n, a.seed)
    nums, texts = synth.number_drawings(a.n // 4, a.seed)
    print(f"generated sets in {time.perf_counter() - t:.1f} s; {len(set(fonts))} fonts")
    targets = {"mlp": {"drawings": 0.95}, "cnn": {"drawings": 0.98, "photos": 0.95, "fonts": 0.95}}
    print(f"{'model':8s} {'set':10s} {'n':>5s} {'accuracy':>9s} {'empty':>6s}  target")
    for name in a.models:
        model, info = load(name)
        for set_name, (x, y) in {"drawings": (draw_x, draw_y), "photos": (photo_x, photo_y),
                                 "fonts": (font_x, font_y)}.items():
            acc, empty = accuracy(model, x, y)
            target = targets.get(name, {}).get(set_name)
            mark = "" if target is None else f"≥ {target:.0%} {'ok' if acc >= target else 'MISSED'}"
            print(f"{name:8s} {set_name:10s} {len(y):5d} {acc:9.2%} {empty:6d}  {mark}")
        right = 0
        for img, text in zip(nums, texts):
            parts = split_digits(img)
            if len(parts) == len(text):
                digits = probabilities(model, np.stack([q.image for q in parts])).argmax(1)
                right += "".join(map(str, digits)) == text
        print(f"{name:8s} {'numbers':10s} {len(texts):5d} {right / len(texts):9.2%} {'':6s}  (whole number right)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

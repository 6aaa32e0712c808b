"""Seeded numbers whose digits touch, drawn on the Draw page's number canvas (560 x 240 RGBA, ink in alpha).

Each number has 2-5 digits from bench/synth.py's stroke templates, with its own brush, size and slant
per number and a little jitter per digit. Neighbours are pushed together until their ink meets: each
pair touches or overlaps by up to a third of the brush (at least one pair a number), or, one time in
three, keeps a small gap. Only numpy and Pillow; nothing here knows about the models.

    python bench/synth_numbers.py /tmp/touching.png   # a contact sheet of the tuning set
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synth import _sheet, digit_strokes, encode, render  # noqa: E402

SIZE = (560, 240)  # the number canvas of app_pages/draw.py (NUMBER_W, NUMBER_H)
INKED = 0.3  # ink above this counts when testing whether two digits touch


def _rows(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the first and last inked column (+inf / -inf for an empty row)."""
    m = ink > INKED
    cols = np.arange(m.shape[1])
    left = np.where(m, cols, np.inf).min(1)
    right = np.where(m, cols, -np.inf).max(1)
    return left, right


def _shift(ink: np.ndarray, dx: int) -> np.ndarray:
    """The ink moved dx columns to the right (what leaves the canvas is lost)."""
    out = np.zeros_like(ink)
    if dx >= 0:
        out[:, dx:] = ink[:, : ink.shape[1] - dx]
    else:
        out[:, :dx] = ink[:, -dx:]
    return out


def touching_number(text: str, rng: np.random.Generator, size: tuple[int, int] = SIZE) -> np.ndarray | None:
    """`text` written left to right with neighbours touching: (H, W) float ink, or None if it does not fit."""
    w, h = size
    height = rng.uniform(0.4, 0.8) * h
    height = min(height, 1.25 * w / len(text))  # five digits at most about 0.8 of a height apart
    brush = min(rng.uniform(5, 28), 0.2 * height)
    slant = rng.uniform(-0.3, 0.3)
    touch = [True] + [rng.random() < 2 / 3 for _ in text[2:]]  # the first pair always touches
    order = rng.permutation(len(touch))
    touch = [touch[i] for i in order]
    wide = (3 * w, h)  # drawn on a wider strip, so that no digit leaves it while the number is laid out
    ink, right = None, None
    for i, ch in enumerate(text):
        strokes = digit_strokes(int(ch), rng, slant=slant + rng.uniform(-0.08, 0.08), angle=rng.uniform(-6, 6))
        scale = rng.uniform(0.9, 1.05)
        digit = render([s * scale for s in strokes], wide, height, (w / 2, h / 2 + rng.uniform(-0.06, 0.06) * height),
                       brush)
        left, r = _rows(digit)
        if ink is None:
            ink, right = digit, r
            continue
        # move the new digit so that, over the rows where both have ink, the nearest pair of strokes
        # is `gap` px apart: negative overlaps, zero touches
        both = np.isfinite(left) & np.isfinite(right)
        if not both.any():  # no common row (a tiny digit beside a tall one): put it just right of the last
            both = np.isfinite(left)
            dist = float(np.max(right[np.isfinite(right)]) - left[both].min())
        else:
            dist = float((left[both] - right[both]).min())
        gap = -rng.uniform(0, brush / 3) if touch[i - 1] else rng.uniform(0.3, 1.0) * brush + 2
        dx = int(round(gap - dist))
        digit = _shift(digit, dx)
        left, r = _rows(digit)
        ink, right = np.maximum(ink, digit), np.maximum(right, r)
    cols = np.flatnonzero(ink.max(0) > 0)
    if not len(cols) or cols[-1] - cols[0] > w - 8:
        return None
    # centre the whole number, then move it a little: people do not write in the middle
    extent = cols[-1] + 1 - cols[0]
    room = (w - extent) / 2
    target = room + rng.uniform(-0.5, 0.5) * room
    return _shift(ink, int(round(target - cols[0])))[:, :w]


def touching_numbers(n: int, seed: int = 0) -> tuple[list[np.ndarray], list[str]]:
    """n RGBA drawings (560 x 240, as the number canvas sends them) of 2-5 digit numbers whose
    neighbours touch, and their texts."""
    rng = np.random.default_rng(seed)
    images, texts = [], []
    while len(images) < n:
        text = "".join(str(d) for d in rng.integers(0, 10, rng.integers(2, 6)))
        ink = touching_number(text, rng)
        if ink is not None:
            images.append(encode(ink, "alpha", rng))
            texts.append(text)
    return images, texts


if __name__ == "__main__":
    images, texts = touching_numbers(24, 1)
    path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/touching.png"
    _sheet(images, 300, 4).save(path)
    print(f"wrote {path}: {texts}")

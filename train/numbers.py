"""Numbers whose digits touch, laid out on the Draw page's number canvas (560 x 240): shared by
bench/synth_numbers.py (bench's digit templates, for tests and benchmarks) and train/pieces.py
(train/styles.py's own templates, for training the piece scorer). Here, in train/, because bench may
import train but train never imports bench. Only numpy and Pillow.

Each number has its own brush, size and slant and a little jitter per digit. Neighbours are pushed
together until their ink meets: each pair touches or overlaps by up to a third of the brush (at least
one pair a number), or, one time in three, keeps a small gap.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from train.strokes import render

SIZE = (560, 240)  # the number canvas of app_pages/draw.py (NUMBER_W, NUMBER_H)
INKED = 0.3  # ink above this counts when testing whether two digits touch

# (digit character, rng, slant, angle) → the digit's polylines, centred on (0, 0), height about 1
Strokes = Callable[[str, np.random.Generator, float, float], list[np.ndarray]]


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


def touching_digits(text: str, rng: np.random.Generator, strokes: Strokes,
                    size: tuple[int, int] = SIZE, pen: list | None = None) -> list[np.ndarray] | None:
    """`text` written left to right with neighbours touching: each digit's (H, W) float ink where it lies
    (the number is their maximum), or None if it does not fit. Given a list `pen`, each digit's strokes as
    the canvas would send them are added to it: a list per digit of ((n, 2) points in canvas px, brush px)."""
    w, h = size
    height = rng.uniform(0.4, 0.8) * h
    height = min(height, 1.25 * w / len(text))  # five digits at most about 0.8 of a height apart
    brush = min(rng.uniform(5, 28), 0.2 * height)
    slant = rng.uniform(-0.3, 0.3)
    touch = [True] + [rng.random() < 2 / 3 for _ in text[2:]]  # the first pair always touches
    order = rng.permutation(len(touch))
    touch = [touch[i] for i in order]
    wide = (3 * w, h)  # drawn on a wider strip, so that no digit leaves it while the number is laid out
    digits, ink, right, drawn = [], None, None, []
    for i, ch in enumerate(text):
        lean = slant + rng.uniform(-0.08, 0.08)
        polylines = strokes(ch, rng, lean, rng.uniform(-6, 6))
        scale = rng.uniform(0.9, 1.05)
        centre = (w / 2, h / 2 + rng.uniform(-0.06, 0.06) * height)
        digit = render([s * scale for s in polylines], wide, height, centre, brush)
        drawn.append([s * scale * height + centre for s in polylines])
        left, r = _rows(digit)
        if ink is None:
            digits, ink, right, moved = [digit], digit, r, [0]
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
        moved.append(int(round(gap - dist)))
        digit = _shift(digit, moved[-1])
        left, r = _rows(digit)
        digits.append(digit)
        ink, right = np.maximum(ink, digit), np.maximum(right, r)
    cols = np.flatnonzero(ink.max(0) > 0)
    if not len(cols) or cols[-1] - cols[0] > w - 8:
        return None
    # centre the whole number, then move it a little: people do not write in the middle
    extent = cols[-1] + 1 - cols[0]
    room = (w - extent) / 2
    dx = int(round(room + rng.uniform(-0.5, 0.5) * room - cols[0]))
    if pen is not None:
        pen += [[(s + (m + dx, 0), brush) for s in lines] for lines, m in zip(drawn, moved, strict=True)]
    return [_shift(d, dx)[:, :w] for d in digits]

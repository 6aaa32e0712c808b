"""Digits as the world writes them, drawn as strokes: the styles MNIST's American writers rarely used.

MNIST reads a European or Chinese 1 (a flag, often a foot) as 7, and has few crossed or hooked 7s,
closed-top 4s, curled 9s or looped 2s. Each style here is a template function: random geometry in a
unit box (x right, y down, height 1), then one hand's jitter, width, slant and rotation
(train/strokes.py), rendered with a round brush and run through the app's own preprocessing, so the
model learns them exactly as the Draw page will show them.

A flagged 1 must not teach that a 7 is a 1, nor the reverse. What tells them apart is the top:
  - a 1's flag is SHORT and STEEP: its horizontal reach is 0.10-0.24 of the digit's height and it
    rises at 35-65° (it comes up to the top of the stem, like a stroke up to a corner);
  - a 7's top is LONG and FLAT: a bar 0.50-0.68 of the height wide, within ±6° of horizontal, and
    the 7's stem leaves the bar's right end on a diagonal, not straight down.
So the 1's flag never reaches half a 7's bar, and the bar is never steeper than a third of the flag.

Plain digits (all ten, our own templates, not bench/synth.py's, which are kept for testing) are
mixed in too, so that "drawn with strokes" is never a clue to which digit it is.

    python -m train.styles /tmp/styles.png   # a contact sheet of each style and its 28x28 input
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable

import numpy as np

from model.preprocess import preprocess
from train.strokes import Stroke, arc, place, render, shape

Template = Callable[[np.random.Generator], list[Stroke]]

FLAG_REACH, FLAG_RISE_DEG = (0.10, 0.24), (35.0, 65.0)  # a 1's flag: short and steep
BAR_WIDTH, BAR_TILT_DEG = (0.50, 0.68), 6.0             # a 7's top: long and flat
TRAIN_STREAM = 0x5717  # training draws with seed [run seed, TRAIN_STREAM]: never a bench seed's stream


def _flag_1(rng: np.random.Generator, foot: bool) -> list[Stroke]:
    x = rng.uniform(0.45, 0.55)
    reach = rng.uniform(*FLAG_REACH)
    rise = reach * math.tan(math.radians(rng.uniform(*FLAG_RISE_DEG)))
    strokes = [[(x - reach, rise), (x, 0.0), (x + rng.uniform(-0.03, 0.03), 1.0)]]
    if foot:  # a base, centred on the stem's foot
        half = rng.uniform(0.15, 0.28)
        strokes.append([(x - half, 1.0), (x + half, 1.0)])
    return strokes


def _seven_top(rng: np.random.Generator) -> tuple[float, float, float, float]:
    """A 7's bar: left x, left y, right x, right y (long and nearly flat)."""
    width = rng.uniform(*BAR_WIDTH)
    x0 = rng.uniform(0.15, 0.85 - width)
    tilt = math.tan(math.radians(rng.uniform(-BAR_TILT_DEG, BAR_TILT_DEG))) * width
    return x0, 0.03 + max(tilt, 0), x0 + width, 0.03 + max(-tilt, 0)


def _crossed_7(rng: np.random.Generator) -> list[Stroke]:
    x0, y0, x1, y1 = _seven_top(rng)
    foot = rng.uniform(0.3, 0.5)
    y = rng.uniform(0.45, 0.6)  # the cross bar, where the stem passes it
    xs = x1 + (foot - x1) * (y - y1) / (1 - y1)
    half = rng.uniform(0.15, 0.25)
    return [[(x0, y0), (x1, y1), (foot, 1.0)], [(xs - half, y), (xs + half, y)]]


def _hooked_7(rng: np.random.Generator) -> list[Stroke]:
    x0, y0, x1, y1 = _seven_top(rng)
    hook = rng.uniform(0.14, 0.26)  # a serif down from the bar's left end
    foot = rng.uniform(0.3, 0.5)
    return [[(x0 - 0.02, y0 + hook), (x0, y0), (x1, y1), (foot, 1.0)]]


def _closed_4(rng: np.random.Generator) -> list[Stroke]:
    x = rng.uniform(0.58, 0.68)  # the stem; the diagonal meets it at the top: a closed triangle
    bar = rng.uniform(0.58, 0.7)
    left = rng.uniform(0.08, 0.2)
    right = rng.uniform(0.82, 0.92)
    if rng.random() < 0.5:  # two strokes: the triangle, then the stem through its corner
        return [[(x, 0.0), (left, bar), (right, bar)], [(x, rng.uniform(-0.04, 0.04)), (x, 1.0)]]
    return [[(x, 1.0), (x, 0.0), (left, bar), (right, bar)]]  # one stroke: up the stem and round


def _curled_9(rng: np.random.Generator) -> list[Stroke]:
    r = rng.uniform(0.22, 0.28)
    curl = rng.uniform(0.35, 0.5)  # how far left the tail curls back under the loop
    return [arc(0.5, 0.28, r, 0.27, -10, 360, 10)
            + [(0.5 + r, 0.55), (0.5 + r - 0.02, 0.82), (0.5 + r - 0.14, 0.98), (0.5 + r - 0.14 - curl, 0.9)]]


def _looped_2(rng: np.random.Generator) -> list[Stroke]:
    r = rng.uniform(0.08, 0.13)  # the loop at the bottom left, where the diagonal turns into the base
    cx, cy = rng.uniform(0.25, 0.32), 1.0 - r
    loop = arc(cx, cy, r, r, -40, 280, 7)  # clockwise in screen space: down, left, up, right and across
    return [arc(0.5, 0.28, 0.28, 0.27, 190, 340, 5) + [(0.55, 0.62), (cx + r * 0.8, cy - r)] + loop
            + [(cx + 2 * r, 1.0), (rng.uniform(0.78, 0.88), 0.98)]]


# Plain American forms, our own; the test set's plain digits come from bench/synth.py instead.
PLAIN: dict[int, Template] = {
    0: lambda rng: [arc(0.5, 0.5, rng.uniform(0.25, 0.34), 0.49, -100, 265, 12)],
    1: lambda rng: [[(0.5 + rng.uniform(-0.05, 0.05), 0.0), (0.5, 1.0)]],
    2: lambda rng: [arc(0.5, 0.3, 0.28, 0.29, 195, 340, 5) + [(0.22, 0.98), (0.8, 0.98)]],
    3: lambda rng: [arc(0.47, 0.26, 0.26, 0.25, 210, 445, 7) + arc(0.47, 0.74, 0.29, 0.26, -85, 160, 7)[1:]],
    4: lambda rng: [[(0.3, 0.0), (0.2, 0.62), (0.85, 0.62)], [(0.68, 0.15), (0.68, 1.0)]],
    5: lambda rng: [[(0.78, 0.02), (0.3, 0.02), (0.26, 0.45)] + arc(0.5, 0.7, 0.29, 0.29, -130, 150, 7)],
    6: lambda rng: [[(0.7, 0.0), (0.4, 0.2), (0.26, 0.55)] + arc(0.51, 0.72, 0.25, 0.27, 180, -175, 9)],
    7: lambda rng: [[(0.2, 0.02), (0.8, 0.02), (0.42, 1.0)]],
    8: lambda rng: [arc(0.5, 0.26, 0.21, 0.24, 90, 450, 9), arc(0.5, 0.74, 0.27, 0.26, -90, 270, 10)],
    9: lambda rng: [arc(0.5, 0.3, 0.25, 0.28, 0, 365, 10) + [(0.75, 0.6), (0.7, 1.0)]],
}

# name -> (digit, template): the styles the world writes and MNIST lacks
STYLES: dict[str, tuple[int, Template]] = {
    "flagged 1": (1, lambda rng: _flag_1(rng, foot=False)),
    "flagged 1 with a foot": (1, lambda rng: _flag_1(rng, foot=True)),
    "crossed 7": (7, _crossed_7),
    "hooked 7": (7, _hooked_7),
    "closed-top 4": (4, _closed_4),
    "curled 9": (9, _curled_9),
    "looped 2": (2, _looped_2),
}


def style_strokes(name: str, rng: np.random.Generator, jitter: float = 0.02) -> list[np.ndarray]:
    """One hand's polylines of a style (a STYLES name, or "plain N"), centred, height about 1."""
    template = PLAIN[int(name.split()[1])] if name.startswith("plain ") else STYLES[name][1]
    return shape(template(rng), rng, jitter, slant=rng.uniform(-0.25, 0.25), angle=rng.uniform(-10, 10))


def label_of(name: str) -> int:
    return int(name.split()[1]) if name.startswith("plain ") else STYLES[name][0]


def canvas_ink(name: str, rng: np.random.Generator, size: int = 280) -> np.ndarray:
    """A style drawn on a size x size canvas as a student would: (H, W) float ink in [0, 1]."""
    height = rng.uniform(0.35, 0.85) * size * 0.92
    brush = min(rng.uniform(0.012, 0.14) * size, 0.25 * height)  # 3-40 px on the app's 280 px canvas
    strokes = style_strokes(name, rng)
    centre, _ = place(rng, strokes, (size, size), height, brush / 2 + 1)
    return render(strokes, (size, size), height, centre, brush)


def styled_digits(n: int, seed: int | list[int], plain_share: float = 0.5,
                  size: int = 140) -> tuple[np.ndarray, np.ndarray]:
    """n 28x28 uint8 inputs, as preprocessing makes them, and their labels: world styles in turn, and a
    `plain_share` of plain digits of all ten classes. Drawn at `size` px (140 is enough: preprocessing
    brings every drawing to 20 px anyway). What training mixes in (train/engine.py)."""
    rng = np.random.default_rng(seed)
    names = list(STYLES)
    xs, ys = np.zeros((n, 28, 28), np.uint8), np.zeros(n, np.int64)
    for i in range(n):
        name = f"plain {rng.integers(10)}" if rng.random() < plain_share else names[i % len(names)]
        pre = preprocess(canvas_ink(name, rng, size))
        if pre.image is not None:  # a drawing is never empty, but an empty one must not be a digit
            xs[i] = np.rint(pre.image * 255)
        ys[i] = label_of(name)
    return xs, ys


def main(path: str) -> None:
    from PIL import Image

    rng = np.random.default_rng(0)
    names = list(STYLES) + [f"plain {d}" for d in range(10)]
    rows = []
    for name in names:
        inks = [canvas_ink(name, rng) for _ in range(6)]
        small = [np.asarray(Image.fromarray(np.rint(preprocess(k).image * 255).astype(np.uint8)).resize((280, 280),
                            Image.NEAREST), np.float32) / 255 for k in inks]
        rows.append(np.hstack(inks + small))
    Image.fromarray(np.rint(np.vstack(rows) * 255).astype(np.uint8)).resize((12 * 70, len(names) * 70)).save(path)
    print(f"wrote {path}: rows {', '.join(names)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/styles.png")

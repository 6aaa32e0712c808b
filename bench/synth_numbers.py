"""Seeded numbers whose digits touch, drawn on the Draw page's number canvas (560 x 240 RGBA, ink in alpha).

Each number has 2-5 digits from bench/synth.py's stroke templates, laid out by train/numbers.py (shared
with the piece scorer's training, which draws train/styles.py's templates instead): its own brush, size
and slant, neighbours pushed together until their ink meets. Only numpy and Pillow.

    python bench/synth_numbers.py /tmp/touching.png   # a contact sheet of the tuning set
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synth import _sheet, digit_strokes, encode  # noqa: E402
from train.numbers import SIZE, touching_digits  # noqa: E402


def _strokes(ch: str, rng: np.random.Generator, slant: float, angle: float) -> list[np.ndarray]:
    return digit_strokes(int(ch), rng, slant=slant, angle=angle)


def touching_number(text: str, rng: np.random.Generator, size: tuple[int, int] = SIZE,
                    pen: list | None = None) -> np.ndarray | None:
    """`text` written left to right with neighbours touching: (H, W) float ink, or None if it does not fit.
    Given a list `pen`, each digit's strokes are added to it (train/numbers.py)."""
    digits = touching_digits(text, rng, _strokes, size, pen)
    return None if digits is None else np.max(digits, axis=0)


def touching_numbers(n: int, seed: int = 0, strokes: bool = False) -> tuple[list[np.ndarray], list[str]] | tuple:
    """n RGBA drawings (560 x 240, as the number canvas sends them) of 2-5 digit numbers whose
    neighbours touch, and their texts; with `strokes`, also each drawing's strokes as the canvas sends
    them, in the order they were drawn (a list of ((n, 2) points, brush px)). The same drawings either way."""
    rng = np.random.default_rng(seed)
    images, texts, pens = [], [], []
    while len(images) < n:
        text = "".join(str(d) for d in rng.integers(0, 10, rng.integers(2, 6)))
        pen: list = []
        ink = touching_number(text, rng, pen=pen)
        if ink is not None:
            images.append(encode(ink, "alpha", rng))
            texts.append(text)
            pens.append([s for digit in pen for s in digit])
    return (images, texts, pens) if strokes else (images, texts)


if __name__ == "__main__":
    images, texts = touching_numbers(24, 1)
    path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/touching.png"
    _sheet(images, 300, 4).save(path)
    print(f"wrote {path}: {texts}")

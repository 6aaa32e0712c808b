"""Marks that are not digits, drawn as a student draws on the canvas, for the not-a-digit judge.

Letters drawn as strokes and typed in the installed fonts (DejaVu, Liberation), #, stars, asterisks,
ticks, arrows, triangles, squares, crosses and scribbles, with the brush widths, sizes, slants and
positions of bench/synth.py's digits (the same brush: train/strokes.py), in the three encodings.
What the judge learns from is the 28×28 that `model.preprocess.preprocess` makes of them: exactly what
the models see. Dots need nothing here: preprocess already calls a drawing of specks "specks only".

Left out, because a student draws them as digits (a judge that flagged them would flag real digits):
O o Q D C-with-a-closed-gap (0); I l i j J | ! (1); S s $ (5); Z z (2); B & (8); G b (6); q g a d (9);
T t r (a stem with an arm at its top, as 7s and flagged 1s are written); ? (a 2 or a 7 once its dot
is dropped as a speck). Kept although near a digit: A (a 4 has no apex), h and y (open 4s are
written with a straight stem and no hook), P (a 9 mirrored), + (a 4 needs a closed or open corner).

Also the positives the judge needs beside MNIST itself: MNIST digits put on a canvas at a random size,
brush and place (the same pipeline, real handwriting) and digits typed in the same fonts.
"""

from __future__ import annotations

import glob
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from model.preprocess import preprocess
from train.strokes import ENCODINGS, encode, place, render, spline

SIZE = 280  # the Draw page's canvas, px


def _arc(cx, cy, rx, ry, a0, a1, n=9):
    """Control points along an ellipse from angle a0 to a1 (degrees; 0 = right, 90 = down)."""
    t = np.radians(np.linspace(a0, a1, n))
    return [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in t]


# A stroke is ("L", points) drawn as straight segments (sharp corners) or ("C", points) as a curve.
LETTERS: dict[str, list[tuple[str, list]]] = {
    "A": [("L", [(0, 1), (0.5, 0), (1, 1)]), ("L", [(0.22, 0.62), (0.78, 0.62)])],
    "E": [("L", [(0.8, 0), (0.1, 0), (0.1, 1), (0.8, 1)]), ("L", [(0.1, 0.5), (0.65, 0.5)])],
    "F": [("L", [(0.85, 0), (0.15, 0), (0.15, 1)]), ("L", [(0.15, 0.48), (0.65, 0.48)])],
    "H": [("L", [(0.1, 0), (0.1, 1)]), ("L", [(0.9, 0), (0.9, 1)]), ("L", [(0.1, 0.5), (0.9, 0.5)])],
    "K": [("L", [(0.15, 0), (0.15, 1)]), ("L", [(0.85, 0), (0.15, 0.55), (0.85, 1)])],
    "L": [("L", [(0.2, 0), (0.2, 1), (0.85, 1)])],
    "M": [("L", [(0.05, 1), (0.12, 0), (0.5, 0.65), (0.88, 0), (0.95, 1)])],
    "N": [("L", [(0.1, 1), (0.1, 0), (0.9, 1), (0.9, 0)])],
    "P": [("L", [(0.15, 1), (0.15, 0)]), ("C", [(0.15, 0), (0.6, 0.02), (0.8, 0.25), (0.6, 0.5), (0.15, 0.5)])],
    "R": [("L", [(0.15, 1), (0.15, 0)]), ("C", [(0.15, 0), (0.6, 0.02), (0.8, 0.25), (0.6, 0.5), (0.15, 0.5)]),
          ("L", [(0.4, 0.5), (0.85, 1)])],
    "U": [("C", [(0.1, 0), (0.12, 0.7), (0.5, 1), (0.88, 0.7), (0.9, 0)])],
    "V": [("L", [(0.05, 0), (0.5, 1), (0.95, 0)])],
    "W": [("L", [(0, 0), (0.25, 1), (0.5, 0.35), (0.75, 1), (1, 0)])],
    "X": [("L", [(0.1, 0), (0.9, 1)]), ("L", [(0.9, 0), (0.1, 1)])],
    "Y": [("L", [(0.1, 0), (0.5, 0.5), (0.9, 0)]), ("L", [(0.5, 0.5), (0.5, 1)])],
    "C": [("C", _arc(0.55, 0.5, 0.45, 0.5, -50, -310))],  # the gap is a quarter turn wide: not a 0
    "e": [("C", [(0.1, 0.55)] + _arc(0.5, 0.55, 0.4, 0.42, 0, -320, 10))],
    "h": [("L", [(0.15, 0), (0.15, 1)]), ("C", [(0.15, 0.6), (0.45, 0.38), (0.78, 0.45), (0.82, 0.7), (0.82, 1)])],
    "k": [("L", [(0.2, 0), (0.2, 1)]), ("L", [(0.8, 0.35), (0.2, 0.7), (0.8, 1)])],
    "m": [("L", [(0.05, 0.35), (0.05, 1)]), ("C", [(0.05, 0.5), (0.25, 0.33), (0.48, 0.45), (0.5, 1)]),
          ("C", [(0.5, 0.5), (0.72, 0.33), (0.95, 0.45), (0.95, 1)])],
    "n": [("L", [(0.15, 0.3), (0.15, 1)]), ("C", [(0.15, 0.5), (0.45, 0.3), (0.8, 0.4), (0.82, 1)])],
    "u": [("C", [(0.15, 0.3), (0.18, 0.85), (0.5, 1), (0.8, 0.8)]), ("L", [(0.82, 0.3), (0.85, 1)])],
    "w": [("L", [(0, 0.3), (0.25, 1), (0.5, 0.5), (0.75, 1), (1, 0.3)])],
    "x": [("L", [(0.15, 0.3), (0.85, 1)]), ("L", [(0.85, 0.3), (0.15, 1)])],
    "y": [("L", [(0.1, 0), (0.5, 0.55)]), ("L", [(0.9, 0), (0.3, 1)])],
}
TYPED_LETTERS = "ACEFHKLMNPRUVWXYcefhkmnpuvwxy"  # the letters above, and p f (see the docstring for the rest)
TYPED_SYMBOLS = "#*@%+=<>~^"
DEJAVU_SYMBOLS = "✓★→←↑↓△□✗"  # drawn only by the DejaVu fonts (Liberation shows a box)

SHAPES = ("hash", "star", "asterisk", "tick", "arrow", "triangle", "square", "cross", "scribble")
KINDS = ("letter drawn", "letter typed", "symbol typed") + SHAPES
ROTATION = ("letter drawn",) * 3 + KINDS[1:]  # the order negatives() makes them in: letters most


def _shape(kind: str, rng: np.random.Generator) -> list[tuple[str, list]]:
    """One shape's strokes in the unit box (some rotated later, as a student draws them any way up)."""
    u = rng.uniform
    if kind == "hash":
        return [("L", [(0.35, 0), (0.25, 1)]), ("L", [(0.75, 0), (0.65, 1)]),
                ("L", [(0, 0.33), (1, 0.33)]), ("L", [(0, 0.67), (1, 0.67)])]
    if kind == "star":  # a pentagram in one stroke
        a = np.radians(-90 + 144 * np.arange(6))
        return [("L", list(zip(0.5 + 0.5 * np.cos(a), 0.5 + 0.5 * np.sin(a), strict=True)))]
    if kind == "asterisk":
        k = int(rng.integers(3, 5))
        a = np.radians(90 + 180 / k * np.arange(k) + u(-10, 10))
        return [("L", [(0.5 - 0.5 * math.cos(t), 0.5 - 0.5 * math.sin(t)), (0.5 + 0.5 * math.cos(t),
                                                                            0.5 + 0.5 * math.sin(t))]) for t in a]
    if kind == "tick":
        return [("L", [(0, u(0.45, 0.65)), (u(0.3, 0.42), 1), (1, 0)])]
    if kind == "arrow":  # pointing right; rotated by the caller's angle
        head = u(0.2, 0.4)
        return [("L", [(0, 0.5), (1, 0.5)]), ("L", [(1 - head, 0.5 - head), (1, 0.5), (1 - head, 0.5 + head)])]
    if kind == "triangle":
        return [("L", [(0.5, 0), (1, 1), (0, 1), (0.5, 0)])]
    if kind == "square":  # near square: a tall narrow box is how some write a 0
        w = u(0.85, 1.15)
        return [("L", [(0, 0), (w, 0), (w, 1), (0, 1), (0, 0)])]
    if kind == "cross":
        if rng.random() < 0.5:
            return [("L", [(0, 0), (1, 1)]), ("L", [(1, 0), (0, 1)])]
        return [("L", [(0.5, 0), (0.5, 1)]), ("L", [(0, 0.5), (1, 0.5)])]
    # a scribble: a random walk, or a hatch back and forth
    n = int(rng.integers(6, 16))
    if rng.random() < 0.5:
        pts = rng.uniform(0, 1, (n, 2))
    else:
        pts = np.stack([np.arange(n) % 2 * 1.0 + rng.normal(0, 0.08, n), np.linspace(0, 1, n)], 1)
    return [("C", [tuple(p) for p in pts])]


def template_strokes(template, rng, jitter=0.03, slant=0.0, angle=0.0) -> list[np.ndarray]:
    """Jittered, slanted, rotated polylines centred on (0, 0), height about 1 (as synth.digit_strokes)."""
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    width = rng.uniform(0.8, 1.2)
    out = []
    for how, pts in template:
        p = np.array(pts, float) + rng.normal(0, jitter, (len(pts), 2))
        if how == "C":
            p = spline(p)
        else:  # straight segments, densified so that slant and rotation keep them straight
            p = np.vstack([a + (b - a) * t for a, b in zip(p[:-1], p[1:], strict=True)
                           for t in np.linspace(0, 1, 6)])
        p = p - 0.5
        p[:, 0] = p[:, 0] * width - slant * p[:, 1]
        out.append(p @ np.array([[c, s], [-s, c]]))
    return out


def drawn(kind: str, rng: np.random.Generator, size: int = SIZE) -> np.ndarray:
    """One non-digit drawn on the canvas with a round brush: (H, W) ink in [0, 1]."""
    if kind == "letter drawn":
        template = LETTERS[list(LETTERS)[rng.integers(len(LETTERS))]]
        angle = rng.uniform(-12, 12)
    else:
        template = _shape(kind, rng)
        any_way = kind in ("arrow", "triangle", "scribble", "star")
        diamond = 45 if kind == "square" and rng.random() < 0.3 else 0
        angle = rng.uniform(0, 360) if any_way else rng.uniform(-15, 15) + diamond
    height = rng.uniform(0.3, 0.9) * size
    brush = min(rng.uniform(3, 40), 0.25 * height)  # as bench/synth.canvas_drawing
    strokes = template_strokes(template, rng, 0.03, rng.uniform(-0.3, 0.3), angle)
    centre, _ = place(rng, strokes, (size, size), height * 0.92, brush / 2 + 1)
    return render(strokes, (size, size), height * 0.92, centre, brush)


def fonts() -> list[str]:
    """The installed DejaVu and Liberation text fonts (not the maths font)."""
    found = glob.glob("/usr/share/fonts/**/DejaVu*.ttf", recursive=True)
    found += glob.glob("/usr/share/fonts/**/Liberation*.ttf", recursive=True)
    return sorted(p for p in set(found) if "Math" not in p)


def typed(chars: str, rng: np.random.Generator, font_files: list[str], size: int = SIZE) -> np.ndarray:
    """One character of `chars` typed in one of the fonts at a random size and place: (H, W) ink."""
    path = font_files[rng.integers(len(font_files))]
    if "DejaVu" in path and chars == TYPED_SYMBOLS and rng.random() < 0.5:
        chars = DEJAVU_SYMBOLS
    ch = chars[rng.integers(len(chars))]
    font = ImageFont.truetype(path, int(rng.integers(40, 240)))
    x0, y0, x1, y1 = font.getbbox(ch)
    im = Image.new("L", (size, size), 0)
    ImageDraw.Draw(im).text((rng.uniform(-x0, max(-x0, size - x1)), rng.uniform(-y0, max(-y0, size - y1))),
                            ch, font=font, fill=255)
    return np.asarray(im, np.float32) / 255


def negatives(n: int, seed: int) -> tuple[list[np.ndarray], list[str]]:
    """n canvas pictures of non-digits (the kinds in turn, the three encodings in turn) and their kinds.
    With no font installed, the typed kinds are left out."""
    rng = np.random.default_rng(seed)
    font_files = fonts()
    kinds = [k for k in ROTATION if font_files or "typed" not in k]
    pictures, names = [], []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        if kind == "letter typed":
            ink = typed(TYPED_LETTERS, rng, font_files)
        elif kind == "symbol typed":
            ink = typed(TYPED_SYMBOLS, rng, font_files)
        else:
            ink = drawn(kind, rng)
        pictures.append(encode(ink, ENCODINGS[i % 3], rng))
        names.append(kind)
    return pictures, names


def mnist_on_canvas(digit28: np.ndarray, rng: np.random.Generator, size: int = SIZE) -> np.ndarray:
    """An MNIST digit (28×28 uint8) enlarged onto the canvas at a random size and place, its strokes
    made thinner or heavier: (H, W) ink. Real handwriting through the app's own pipeline."""
    ys, xs = np.nonzero(digit28 > 30)
    crop = Image.fromarray(digit28[ys.min():ys.max() + 1, xs.min():xs.max() + 1])
    height = rng.uniform(0.3, 0.9) * size
    k = height / crop.height
    w, h = max(1, round(crop.width * k)), max(1, round(height))
    big = crop.resize((min(w, size), min(h, size)), Image.BICUBIC)
    width = rng.choice([-1, 0, 0, 1, 2]) * max(1, int(height / 40))  # erode (-) or dilate (+), px
    if width:
        big = big.filter(ImageFilter.MaxFilter(2 * width + 1) if width > 0 else ImageFilter.MinFilter(-2 * width + 1))
    im = Image.new("L", (size, size), 0)
    im.paste(big, (int(rng.integers(0, size - big.width + 1)), int(rng.integers(0, size - big.height + 1))))
    return np.asarray(im, np.float32) / 255


def seen(pictures: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """What the models see of each picture: (M, 28, 28) float32 in [0, 1], and the indices of the
    pictures that preprocessing did not call empty."""
    pres = [preprocess(p) for p in pictures]
    keep = np.array([i for i, p in enumerate(pres) if not p.empty], int)
    images = np.stack([pres[i].image for i in keep]) if len(keep) else np.zeros((0, 28, 28), np.float32)
    return images.astype(np.float32), keep

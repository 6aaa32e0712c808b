"""Strokes on a canvas, as a student's brush draws them: control points in a unit box → smooth, jittered,
slanted polylines → ink with a round brush → one of the three encodings a picture comes in.

Shared by bench/synth.py (digits for tests and benchmarks), train/styles.py (the world's styles of
digits, for training) and train/negatives.py (marks that are not digits, for the judge). Here, in
train/, because bench may import train but train never imports bench. Only numpy and Pillow.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

Stroke = list[tuple[float, float]]
ENCODINGS = ("light-on-dark", "dark-on-light", "alpha")


def arc(cx, cy, rx, ry, a0, a1, n=8) -> Stroke:
    """Control points along an ellipse from angle a0 to a1 (degrees; 0 = right, 90 = down)."""
    t = np.radians(np.linspace(a0, a1, n))
    return [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in t]


def spline(points: np.ndarray, per: int = 8) -> np.ndarray:
    """Catmull-Rom curve through the control points (a polyline of len(points) * per points)."""
    if len(points) < 3:
        return np.array([points[0] + (points[-1] - points[0]) * t for t in np.linspace(0, 1, per)])
    p = np.vstack([2 * points[0] - points[1], points, 2 * points[-1] - points[-2]])
    t = np.linspace(0, 1, per, endpoint=False)[:, None]
    out = []
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        out.append(0.5 * (2 * p1 + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                          + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3))
    return np.vstack(out + [points[-1:]])


def shape(strokes: list[Stroke], rng: np.random.Generator, jitter: float = 0.025, slant: float = 0.0,
          angle: float = 0.0) -> list[np.ndarray]:
    """One hand's version of a template: each control point jittered, the curve smoothed, the whole
    widened or narrowed (0.8-1.2), slanted (shear units) and rotated (degrees); centred on (0, 0)."""
    width = rng.uniform(0.8, 1.2)
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    out = []
    for stroke in strokes:
        p = np.array(stroke, float) + rng.normal(0, jitter, (len(stroke), 2))
        p = spline(p) - 0.5
        p[:, 0] = p[:, 0] * width - slant * p[:, 1]
        out.append(p @ np.array([[c, s], [-s, c]]))
    return out


def render(strokes: list[np.ndarray], size: tuple[int, int], height: float, centre: tuple[float, float],
           brush: float, dots: list[tuple[float, float]] = (), ss: int = 2) -> np.ndarray:
    """Draw strokes (unit height) at `height` px around `centre` with a round brush: (H, W) float ink."""
    w, h = size
    im = Image.new("L", (w * ss, h * ss), 0)
    d = ImageDraw.Draw(im)
    r = brush * ss / 2
    for stroke in strokes:
        pts = [((x * height + centre[0]) * ss, (y * height + centre[1]) * ss) for x, y in stroke]
        d.line(pts, fill=255, width=max(1, round(brush * ss)), joint="curve")
        for x, y in pts:  # round joints and caps, as a canvas brush draws them
            d.ellipse((x - r, y - r, x + r, y + r), fill=255)
    for x, y in dots:
        d.ellipse((x * ss - r, y * ss - r, x * ss + r, y * ss + r), fill=255)
    return np.asarray(im.resize((w, h), Image.BOX), np.float32) / 255.0


def encode(ink: np.ndarray, encoding: str, rng: np.random.Generator | None = None) -> np.ndarray:
    """Ink in [0, 1] -> uint8 picture: white on black (RGB or opaque RGBA), black on white, or
    coloured ink on a transparent background (RGBA, alpha = ink)."""
    a = np.rint(ink * 255).astype(np.uint8)
    if encoding == "light-on-dark":
        rgb = np.repeat(a[..., None], 3, 2)
        if rng is not None and rng.random() < 0.5:
            return np.dstack([rgb, np.full_like(a, 255)])
        return rgb
    if encoding == "dark-on-light":
        return np.repeat((255 - a)[..., None], 3, 2)
    colour = (0, 0, 0) if rng is None or rng.random() < 0.5 else tuple(rng.integers(0, 256, 3).tolist())
    rgb = np.broadcast_to(np.array(colour, np.uint8), a.shape + (3,))
    return np.dstack([rgb, a])


def place(rng: np.random.Generator, strokes: list[np.ndarray], size: tuple[int, int], height: float,
          margin: float) -> tuple[tuple[float, float], tuple[np.ndarray, np.ndarray]]:
    """A random centre keeping the drawn strokes inside the canvas, and the drawing's box (lo, hi)."""
    pts = np.vstack(strokes) * height
    lo, hi = pts.min(0) - margin, pts.max(0) + margin
    cx = rng.uniform(-lo[0], max(-lo[0], size[0] - hi[0]))
    cy = rng.uniform(-lo[1], max(-lo[1], size[1] - hi[1]))
    return (cx, cy), (lo + (cx, cy), hi + (cx, cy))

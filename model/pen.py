"""The strokes a canvas drew: what the number canvas sends beside its pixels, checked, and each stroke's mask.

A stroke is its points in canvas pixels, in the order they were drawn, and its brush's width. The value
comes over the websocket, so anyone can send anything: `parse` keeps a value only when it is a list of
at most MAX_STROKES strokes, MAX_POINTS points in all, every number finite and on or near the canvas,
whose brushes paint at most PAINTED times the canvas; anything else is None, and the reader falls back to
the pixels alone. `masks` draws each stroke through points at least a fraction of its brush apart, so its
cost is bounded by the paint, not by how many points a 1000 Hz mouse sent. Only numpy and Pillow.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

Stroke = tuple[np.ndarray, float]  # ((n, 2) float32 x, y in canvas px, brush width in px)

MAX_STROKES = 200
MAX_POINTS = 20_000
BRUSH = (1.0, 128.0)  # the widths a brush may have
GROW = 2.0  # a mask is this many px wider than its brush: the canvas's anti-aliased edge
PAINTED = 10.0  # the brushes' paths may cover at most this many times the canvas (a number covers about one)
STEP = 1 / 16  # a mask is drawn through one point per this share of its brush along the path (>= 1 px)


def parse(value, width: int, height: int) -> list[Stroke] | None:
    """The canvas's `[[brush, x0, y0, x1, y1, ...], ...]` → strokes; None for anything else."""
    if not isinstance(value, list) or not 0 < len(value) <= MAX_STROKES:
        return None
    strokes, points = [], 0
    for s in value:
        if not isinstance(s, list) or len(s) < 3 or len(s) % 2 == 0:
            return None
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in s):
            return None
        points += (len(s) - 1) // 2
        if points > MAX_POINTS:
            return None
        brush, xy = float(s[0]), np.asarray(s[1:], np.float32).reshape(-1, 2)
        margin = BRUSH[1]
        if not BRUSH[0] <= brush <= BRUSH[1] or not (
                (-margin <= xy[:, 0]).all() and (xy[:, 0] <= width + margin).all()
                and (-margin <= xy[:, 1]).all() and (xy[:, 1] <= height + margin).all()):
            return None
        strokes.append((xy, brush))
    if sum(_length(xy) * (brush + GROW) for xy, brush in strokes) > PAINTED * width * height:
        return None  # a forged list that would take seconds to draw as masks
    return strokes


def _length(xy: np.ndarray) -> float:
    """How far the pen travelled along a stroke's points, in px."""
    return float(np.hypot(*np.diff(xy, axis=0).T).sum()) if len(xy) > 1 else 0.0


def thinned(xy: np.ndarray, brush: float) -> np.ndarray:
    """The points of a stroke, one per STEP of its brush (and at least 1 px) along its path, the first and the
    last kept: a mask through them differs from one through all on its outermost pixels only."""
    if len(xy) < 3:
        return xy
    gaps, step = np.hypot(*np.diff(xy, axis=0).T), max(1.0, STEP * brush)
    if gaps.min() >= step:
        return xy  # the usual stroke: nothing to thin
    _, first = np.unique(np.floor(np.concatenate([[0.0], np.cumsum(gaps)]) / step), return_index=True)
    return xy[np.union1d(first, [len(xy) - 1])]


def masks(strokes: list[Stroke], shape: tuple[int, int]) -> np.ndarray:
    """(len(strokes), H, W) bool: the pixels each stroke's brush covered, as the canvas draws it (round caps
    and joins), GROW px wider."""
    out = np.zeros((len(strokes), *shape), bool)
    for i, (xy, brush) in enumerate(strokes):
        out[i] = brushed(thinned(xy, brush), brush, shape)
    return out


def brushed(xy: np.ndarray, brush: float, shape: tuple[int, int], grow: float = GROW) -> np.ndarray:
    """(H, W) bool: a brush `grow` px wider than `brush` drawn through every one of the points, round caps and joins."""
    h, w = shape
    im = Image.new("L", (w, h), 0)
    d, r = ImageDraw.Draw(im), (brush + grow) / 2
    pts = [(float(x), float(y)) for x, y in xy]
    if len(pts) > 1:
        d.line(pts, fill=255, width=max(1, round(brush + grow)), joint="curve")
    for x, y in pts:
        d.ellipse((x - r, y - r, x + r, y + r), fill=255)
    return np.asarray(im) > 0

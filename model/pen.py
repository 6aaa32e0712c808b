"""The strokes a canvas drew: what the number canvas sends beside its pixels, checked, and each stroke's mask.

A stroke is its points in canvas pixels, in the order they were drawn, and its brush's width. The value
comes over the websocket, so anyone can send anything: `parse` keeps a value only when it is a list of
at most MAX_STROKES strokes, MAX_POINTS points in all, every number finite and on or near the canvas;
anything else is None, and the reader falls back to the pixels alone. Only numpy and Pillow.
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
    return strokes


def masks(strokes: list[Stroke], shape: tuple[int, int]) -> np.ndarray:
    """(len(strokes), H, W) bool: the pixels each stroke's brush covered, as the canvas draws it (round caps
    and joins), GROW px wider."""
    h, w = shape
    out = np.zeros((len(strokes), h, w), bool)
    for i, (xy, brush) in enumerate(strokes):
        im = Image.new("L", (w, h), 0)
        d = ImageDraw.Draw(im)
        r = (brush + GROW) / 2
        pts = [(float(x), float(y)) for x, y in xy]
        if len(pts) > 1:
            d.line(pts, fill=255, width=max(1, round(brush + GROW)), joint="curve")
        for x, y in pts:
            d.ellipse((x - r, y - r, x + r, y + r), fill=255)
        out[i] = np.asarray(im) > 0
    return out

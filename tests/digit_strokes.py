"""Digits 0-9 as mouse strokes for the browser tests: templates drawn once by hand, then placed at
seeded random sizes, slants and places on the 280-px canvas (issue 7's "done means")."""

import math
import random


def _ellipse(cx, cy, rx, ry, start=-90, sweep=-380, n=28):
    return [(cx + rx * math.cos(math.radians(start + sweep * i / n)),
             cy + ry * math.sin(math.radians(start + sweep * i / n))) for i in range(n + 1)]


# Digits as people often write them, in a unit box (y down), strokes in drawing order. Each one's first
# point lies on its box's edge, so that an "edge" drawing can start its first stroke at the canvas edge.
# Written once from how digits are drawn, never adjusted to what the models answered.
TEMPLATES = {
    0: [_ellipse(0.5, 0.5, 0.38, 0.5)],
    1: [[(0.62, 0.0), (0.42, 1.0)]],
    2: [[(0.08, 0.22), (0.35, 0.02), (0.65, 0.0), (0.88, 0.18), (0.85, 0.42), (0.55, 0.68), (0.08, 1.0),
         (0.95, 0.98)]],
    3: [[(0.06, 0.1), (0.45, 0.0), (0.8, 0.08), (0.85, 0.28), (0.45, 0.48), (0.88, 0.65), (0.85, 0.9),
         (0.45, 1.0), (0.1, 0.9)]],
    4: [[(0.55, 0.0), (0.05, 0.65), (0.95, 0.65)], [(0.72, 0.3), (0.72, 1.0)]],
    5: [[(0.85, 0.0), (0.2, 0.0), (0.15, 0.45), (0.5, 0.38), (0.85, 0.55), (0.88, 0.8), (0.6, 1.0),
         (0.1, 0.92)]],
    6: [[(0.75, 0.0), (0.35, 0.3), (0.15, 0.65), (0.25, 0.92), (0.5, 1.0), (0.78, 0.88), (0.8, 0.65),
         (0.55, 0.5), (0.25, 0.6)]],
    7: [[(0.05, 0.0), (0.95, 0.0), (0.4, 1.0)]],
    8: [[(0.82, 0.12), (0.5, 0.0), (0.2, 0.12), (0.25, 0.35), (0.75, 0.62), (0.8, 0.88), (0.5, 1.0),
         (0.2, 0.88), (0.25, 0.62), (0.75, 0.35), (0.82, 0.12)]],
    9: [[(0.8, 0.2), (0.5, 0.0), (0.2, 0.15), (0.2, 0.4), (0.5, 0.5), (0.8, 0.35), (0.8, 0.2), (0.75, 1.0)]],
}
SIZE = 280  # the canvas, px


def drawings(seed: int, per_digit: int = 3):
    """[(digit, strokes in [0, 1] canvas coordinates, starts at the edge?)]: each template at a random
    height (40–90% of the canvas), width, slant (±12°) and place, with a little jitter; every third
    drawing is moved so that its first stroke starts 2–4 px from the canvas edge nearest to it."""
    rng = random.Random(seed)
    out = []
    for k in range(per_digit):
        for digit, strokes in TEMPLATES.items():
            h = rng.uniform(0.4, 0.9) * SIZE
            w = h * rng.uniform(0.5, 0.75)
            shear = math.tan(math.radians(rng.uniform(-12, 12)))
            pts = [[((u - 0.5) * w - shear * (v - 0.5) * h + rng.gauss(0, 0.01 * h),
                     (v - 0.5) * h + rng.gauss(0, 0.01 * h)) for u, v in s] for s in strokes]
            xs, ys = [x for s in pts for x, _ in s], [y for s in pts for _, y in s]
            margin = 12  # keep the ink (brush 18) inside the canvas
            dx = rng.uniform(margin - min(xs), SIZE - margin - max(xs))
            dy = rng.uniform(margin - min(ys), SIZE - margin - max(ys))
            edge = (k * 10 + digit) % 3 == 0
            if edge:  # the first point's nearest canvas edge, along the axis where it is the glyph's extreme
                x0, y0 = pts[0][0]
                gap = rng.uniform(2, 4)
                options = [(x0 - min(xs), "x", gap - x0), (max(xs) - x0, "x", SIZE - gap - x0),
                           (y0 - min(ys), "y", gap - y0), (max(ys) - y0, "y", SIZE - gap - y0)]
                _, axis, shift = min(options)
                if axis == "x":
                    dx = shift
                else:
                    dy = shift
            # moved to an edge, a big glyph may poke out on the far side: those points stay on the canvas
            placed = [[(min(max(x + dx, 1), SIZE - 1) / SIZE, min(max(y + dy, 1), SIZE - 1) / SIZE) for x, y in s]
                      for s in pts]
            out.append((digit, placed, edge))
    return out

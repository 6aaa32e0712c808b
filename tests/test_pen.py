"""model/pen.py: the strokes the number canvas sends, checked (anyone can send anything), and drawn as masks."""

import numpy as np
import pytest

from model import pen

GOOD = [[18, 10, 20, 30.5, 40, 50, 60], [12, 100, 100]]


def test_a_canvas_value_becomes_points_and_brushes():
    strokes = pen.parse(GOOD, 560, 240)
    assert [b for _, b in strokes] == [18.0, 12.0]
    assert strokes[0][0].tolist() == [[10, 20], [30.5, 40], [50, 60]] and strokes[1][0].shape == (1, 2)


@pytest.mark.parametrize("value", [
    None, "[[18, 1, 2]]", 5, [], [[]], [[18, 1]], [[18, 1, 2, 3]], [["18", 1, 2]], [[True, 1, 2]],
    [[18, float("nan"), 2]], [[18, float("inf"), 2]], [[0.5, 1, 2]], [[1000, 1, 2]], [[18, 5000, 2]],
    [[18, 1, -500]], [[18, 1, 2]] * (pen.MAX_STROKES + 1), [[18] + [1, 2] * (pen.MAX_POINTS + 1)],
    [{"w": 18, "pts": [[1, 2]]}],
])
def test_anything_else_is_refused(value):
    assert pen.parse(value, 560, 240) is None


def test_a_mask_covers_the_brush_and_a_dot_is_round():
    line, dot = pen.masks(pen.parse([[10, 20, 50, 120, 50], [10, 200, 50]], 560, 240), (240, 560))
    assert line[50, 20:121].all() and line[45:56, 70].all() and not line[40, 70] and not line[50, 130]
    ys, xs = np.nonzero(dot)
    assert abs(np.ptp(xs) - np.ptp(ys)) <= 1 and 10 <= np.ptp(xs) + 1 <= 13


@pytest.mark.parametrize("brush", [4, 18, 40])
def test_a_dense_stroke_masks_as_through_every_point_and_its_ends_stay(brush):
    """A 1000 Hz mouse sends points a fraction of a pixel apart (here a wavy loop): the mask through the thinned
    points differs from the one through all of them only on its outermost pixels, still covers all the brush
    painted, and its ends are where the pen went down and up."""
    from bench.forged_strokes import masks_every_point
    from model.raster import filter3

    t = np.linspace(0, 2 * np.pi, 4000)
    xy = np.column_stack([280 + 150 * np.cos(t) + 8 * np.sin(9 * t), 120 + 80 * np.sin(2 * t)]).astype(np.float32)
    (mask,) = pen.masks([(xy, float(brush))], (240, 560))
    (ref,) = masks_every_point([(xy, float(brush))], (240, 560))
    edge = filter3(ref, np.maximum, 1, pad=False) & ~filter3(ref, np.minimum, 1, pad=False)
    assert not ((mask != ref) & ~edge).any()
    assert not (masks_every_point([(xy, float(brush))], (240, 560), grow=0)[0] & ~mask).any()
    kept = pen.thinned(xy, float(brush))
    assert len(kept) < len(xy) / 3 and (kept[0] == xy[0]).all() and (kept[-1] == xy[-1]).all()
    assert np.hypot(*np.diff(kept[:-1], axis=0).T).min() >= 0.5 * max(1.0, pen.STEP * brush)  # chords of steps


def test_a_list_whose_brushes_would_paint_the_canvas_over_and_over_is_refused():
    """Strokes across the canvas and back, each point far from the last: seconds of drawing as masks, which a
    canvas never sends. Fewer of them, within PAINTED canvases, are kept."""
    zigzag = [0, 0, 560, 240] * 5  # 10 points, 9 diagonals of 610 px
    fits = int(pen.PAINTED * 560 * 240 / (9 * 610 * (40 + pen.GROW)))
    assert fits >= 2
    assert pen.parse([[40, *zigzag]] * (fits + 1), 560, 240) is None
    assert pen.parse([[40, *zigzag]] * fits, 560, 240) is not None

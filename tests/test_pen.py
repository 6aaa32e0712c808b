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

"""Figures read from the back of a room (issue 15): every confusion-matrix count legible on its cell, empty
cells plain, and a training chart's legend never over its axis title (measured in a real browser)."""

from __future__ import annotations

import re

import numpy as np
import plotly.io as pio
import pytest

from ui.evaluate import figures as eval_figures
from ui.evaluate.figures import EMPTY, contrast
from ui.train import curves

# a CNN's confusion on the 10,000 test images: big diagonal, mistakes from 1 to 12, most cells empty
CM = np.diag([979, 1131, 1029, 1007, 980, 886, 948, 1023, 972, 998])
for (r, c), n in {(6, 0): 4, (9, 4): 12, (9, 7): 4, (5, 3): 3, (0, 5): 1, (7, 1): 2}.items():
    CM[r, c] = n


def shown(fill: str) -> tuple[float, ...]:
    """A cell's fill as the eye sees it on the white page."""
    if fill.startswith("#"):
        return tuple(int(fill[i:i + 2], 16) for i in (1, 3, 5))
    r, g, b, a = (float(v) for v in re.findall(r"[\d.]+", fill))
    return tuple(255 - a * (255 - c) for c in (r, g, b))


def ink(colour: str) -> tuple[int, ...]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def fills_of(fig) -> list[str]:
    """Each cell's colour, row by row: the rectangles under the points (in data coordinates)."""
    cells = sorted((round((s.y0 + s.y1) / 2), round((s.x0 + s.x1) / 2), s.fillcolor) for s in fig.layout.shapes
                   if s.fillcolor)
    assert len(cells) == CM.size
    return [f for *_, f in cells]


@pytest.mark.parametrize("normalised", [False, True])
def test_every_count_is_legible_on_its_cell(normalised):
    fig = eval_figures.confusion(CM, normalised, "predicted", "true")
    cells = fig.data[0]
    inks = cells.textfont.color
    assert not isinstance(inks, str) and len(inks) == CM.size  # a colour per cell, not plotly's one grey
    for text, fill, colour in zip(cells.text, fills_of(fig), inks):
        if text:
            assert contrast(ink(colour), shown(fill)) >= 4.5, (text, fill, colour)


def test_empty_cells_are_plain_and_mistakes_red():
    fills = np.array(fills_of(eval_figures.confusion(CM, False, "predicted", "true"))).reshape(10, 10)
    empty = (CM == 0)
    assert all(f == EMPTY for f in fills[empty])  # not a pale pink that reads as "a few mistakes"
    r, g, b = shown(fills[9, 4])
    assert r > 200 and g < 120 and b < 120  # the biggest mistake is plainly red
    assert shown(fills[0, 5])[1] < shown(EMPTY)[1] - 20  # and the smallest still differs from an empty cell


def test_the_selected_cell_is_outlined_where_it_is():
    fig = eval_figures.confusion(CM, False, "predicted", "true", selected=(9, 4))
    outline = [s for s in fig.layout.shapes if not s.fillcolor]
    assert len(outline) == 1 and (outline[0].x0 + outline[0].x1) / 2 == 4 and (outline[0].y0 + outline[0].y1) / 2 == 9


def events(n_epochs: int = 2) -> list[dict]:
    out = [{"kind": "start", "n_train": 1000}]
    for s in range(1, 5 * n_epochs + 1):
        out.append({"kind": "step", "seen": 200 * s, "acc": 0.5 + s / 30, "loss": 1 / s, "lr": 0.01})
        if s % 5 == 0:
            out.append({"kind": "epoch", "epoch": s // 5, "test_acc": 0.8 + s / 60, "test_loss": 1 / s})
    return out


BOXES = """() => Object.fromEntries(['.legend', '.g-xtitle', '.xaxislayer-above text'].map(s => {
  const bs = [...document.querySelectorAll(s)].map(e => e.getBoundingClientRect());  // their union
  return [s, [Math.min(...bs.map(b => b.left)), Math.min(...bs.map(b => b.top)),
              Math.max(...bs.map(b => b.right)), Math.max(...bs.map(b => b.bottom))]]; }))"""


# plotly lays a figure out again once its margins have grown to fit the legend: measure once nothing moves
SETTLED = """() => { const now = JSON.stringify((%s)()); const same = now === window.__boxes; window.__boxes = now;
  return same; }""".replace("%s", BOXES)


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.browser
def test_a_legend_never_covers_the_axis_title():
    """Plotly's own plotly.js (shipped in the plotly package, no network), at the Train page's narrowest width."""
    from tests.browser import chromium
    runs = [(f"run number {i}", ("mlp", "cnn")[i % 2], events()) for i in range(6)]
    figures = {f"compare {n} runs": curves.compare_figure(runs[:n], "test_acc") for n in (1, 3, 6)}
    figures["accuracy"] = curves.accuracy_figure(events(), "#2563eb", 0.98)
    figures["loss"] = curves.loss_figure(events(), "#2563eb")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 900, "height": 800})
        for name, fig in figures.items():
            for width in (260, 420, 640):
                page.set_content(pio.to_html(fig.update_layout(width=width), include_plotlyjs=True))
                page.wait_for_selector(".legend")
                page.wait_for_function(SETTLED, polling=100)
                box = page.evaluate(BOXES)
                assert not overlap(box[".legend"], box[".g-xtitle"]), (name, width, box)
                assert not overlap(box[".legend"], box[".xaxislayer-above text"]), (name, width, box)  # nor the ticks

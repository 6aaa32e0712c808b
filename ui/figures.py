"""Pure figure builders: numpy in, plotly figures, HTML or RGB arrays out. No Streamlit here."""

from __future__ import annotations

import base64
import html
import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw


def prob_bars(probs: np.ndarray, color: str, xlabel: str = "digit") -> str:
    """Ten bars on a fixed 0–100% scale as plain HTML (numbers and our colours only: no user text).

    The top bar is in the model's colour, the rest pale; each bar carries its percentage as a tooltip
    and, from 1%, above it. Plain HTML, not a plotly chart: the browser lays it out in a millisecond,
    where two plotly charts held the answer back by 100–200 ms on a busy 2-core machine (issue 7).
    """
    top = int(np.argmax(probs))
    cols = []
    for d, p in enumerate(np.asarray(probs, dtype=float)):
        fill = color if d == top else "rgba(148,163,184,0.55)"
        pct = f"{p:.0%}" if p >= 0.01 else ""
        cols.append(f"<div class='dl-bar' title='{d}: {p:.1%}'><span class='dl-pct'>{pct}</span>"
                    f"<div class='dl-fill' style='height:{100 * p:.1f}%;background:{fill}'></div>"
                    f"<span class='dl-tick'>{d}</span></div>")
    return (f"<div class='dl-bars' data-top='{top}'>{''.join(cols)}</div>"
            f"<div class='dl-axis'>{html.escape(xlabel)}</div>")


def pixel_grid(image28: np.ndarray, cell: int = 8) -> np.ndarray:
    """A 28×28 image in [0, 1] enlarged to (28·cell)² RGB with grid lines, so each pixel is visible."""
    g = (255 * (1 - np.clip(image28, 0, 1))).astype(np.uint8)  # ink dark on white, as it was drawn
    big = np.repeat(np.repeat(g, cell, 0), cell, 1)
    rgb = np.stack([big] * 3, -1)
    rgb[::cell, :, :] = (203, 213, 225)
    rgb[:, ::cell, :] = (203, 213, 225)
    return rgb


def png_url(image28: np.ndarray) -> str:
    """A 28×28 image in [0, 1] (or uint8 0-255) as a PNG data URL, dark ink on white: about 300 bytes.

    Inline in HTML, a picture costs the server no media file and the browser no second request; the
    browser enlarges it (`image-rendering: pixelated`). On a 2-core server `st.image` of the Draw page's
    196-px grid was 6 ms of the 44 ms a stroke cost (bench/load.py)."""
    a = np.asarray(image28)
    g = 255 - (a if a.dtype == np.uint8 else (255 * np.clip(a, 0, 1)).astype(np.uint8))
    buf = io.BytesIO()
    Image.fromarray(g).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def sees_html(image28: np.ndarray, alt: str, width: int | None = 196) -> str:
    """What the model sees, as one HTML block: the 28×28 enlarged with a grid line round every pixel
    (the grid is CSS, `.dl-sees` in ui/stylesheet.py), `width` px wide or (None) the column's width.
    `alt` is our own text, never a user's."""
    size = "100%" if width is None else f"{int(width)}px"
    return (f"<div class='dl-sees' style='width:{size}'>"
            f"<img src='{png_url(image28)}' alt='{html.escape(alt, quote=True)}'></div>")


def with_box(img: np.ndarray, box, color=(234, 88, 12)) -> np.ndarray:
    """The input image as RGB with the crop box drawn on it."""
    a = np.asarray(img)
    if a.ndim == 3 and a.shape[2] == 4:  # transparent background shown as white
        alpha = a[..., 3:4].astype(np.float32) / 255
        a = (a[..., :3] * alpha + 255 * (1 - alpha)).astype(np.uint8)
    pil = Image.fromarray(a).convert("RGB")
    if box:
        w = max(2, round(max(pil.size) / 140))
        ImageDraw.Draw(pil).rectangle([box[0], box[1], box[2] - 1, box[3] - 1], outline=color, width=w)
    return np.asarray(pil)


CORRECT, WRONG = (37, 99, 235), (220, 38, 38)  # seed 001's grid: blue when right, red when wrong


def class_counts(train_counts, test_counts, names=("train", "test")) -> go.Figure:
    """Images per digit in each split, side by side (seeds 000 and 003 plot the class balance)."""
    fig = go.Figure([go.Bar(x=list(range(10)), y=list(c), name=n, marker_color=col)
                     for c, n, col in zip((train_counts, test_counts), names, ("#64748b", "#0ea5e9"))])
    fig.update_layout(barmode="group", height=280, margin=dict(l=10, r=10, t=10, b=10), font=dict(size=15),
                      xaxis=dict(tickmode="array", tickvals=list(range(10)), tickfont=dict(size=16)),
                      legend=dict(orientation="h", y=1.1), plot_bgcolor="rgba(0,0,0,0)")
    return fig


def prediction_tile(image28: np.ndarray, probs: np.ndarray, label: int, scale: int = 4) -> np.ndarray:
    """An MNIST image above its ten probability bars: blue if the top bar is the label, else red.

    The label's slot is marked under the bars, so a wrong answer shows where it should have been.
    """
    side = 28 * scale
    img = np.repeat(np.repeat((255 * (1 - image28)).astype(np.uint8), scale, 0), scale, 1)
    tile = Image.new("RGB", (side, side + 44), "white")
    tile.paste(Image.fromarray(img).convert("RGB"), (0, 0))
    draw = ImageDraw.Draw(tile)
    top = int(np.argmax(probs))
    color = CORRECT if top == label else WRONG
    bar_w = side / 10
    for d, p in enumerate(probs):
        x0 = d * bar_w + 1
        h = max(1, round(30 * float(p)))
        draw.rectangle([x0, side + 34 - h, x0 + bar_w - 3, side + 34], fill=color if d == top else (203, 213, 225))
    lx = label * bar_w + 1
    draw.rectangle([lx, side + 38, lx + bar_w - 3, side + 41], fill=(15, 23, 42))  # where the label is
    return np.asarray(tile)

"""The drawing surface: our own small Streamlit component (ui/draw/ink_canvas.js), a plain canvas.

Why not streamlit-drawable-canvas: its floating toolbar sat over the top of the surface and took the
pointer-down of strokes begun there, and it waits 200 ms after each stroke before sending. This one
has its Undo / Redo / Clear under the surface, takes mouse, pen and finger alike, and sends the
canvas as a PNG the moment a stroke is lifted.

The value comes over the websocket, so anyone can send anything in its place. It goes through the
same bounded decoder as uploads (model/image_file.py), asked for a PNG no larger than the canvas,
checked from the header: a forged 12000 × 12000 PNG cost 1.65 GB and 5.6 s before, and TIFF, GIF and
WebP were decoded. Anything else is ignored (the page shows an empty canvas) with one line in the log.
The strokes sent beside the PNG (number mode parts touching digits by them) go through model/pen.py's
check: a forged list is dropped, and the pixels alone are read.
"""

from __future__ import annotations

import base64
import binascii
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from model import pen
from model.image_file import ImageError, load_image
from ui.i18n import t

INK = "#111111"
CSS = """
.dl-wrap {width: 100%;}
.dl-ink {display: block; width: 100%; height: auto; touch-action: none; cursor: crosshair;
         background: #fff;  /* paper, also in a dark theme: the ink is near-black */
         outline: 1px solid var(--st-border-color, #cbd5e1); outline-offset: -1px; border-radius: 2px;}
.dl-tools {display: flex; gap: .4rem; margin-top: .45rem;}
.dl-tools button {font: inherit; font-size: .9rem; padding: .3rem .8rem; cursor: pointer;
                  border: 1px solid var(--st-border-color, #cbd5e1); border-radius: .5rem;
                  background: var(--st-background-color, #fff); color: var(--st-text-color, #31333f);}
.dl-tools button:disabled {opacity: .4; cursor: default;}
"""

_component = st.components.v2.component(
    "digitlab.ink_canvas", html="<div></div>", css=CSS,
    js=(Path(__file__).with_name("ink_canvas.js")).read_text(encoding="utf-8"))


log = logging.getLogger(__name__)
PREFIX = "data:image/png;base64,"  # what the canvas's toDataURL("image/png") starts with


def decode(png_data_url, width: int, height: int) -> np.ndarray | None:
    """A PNG data URL from the canvas → (H, W, 4) uint8 RGBA; None (logged) for anything that is not a
    PNG of at most width × height pixels."""
    try:
        if not isinstance(png_data_url, str) or not png_data_url.startswith(PREFIX):
            raise ValueError(f"not a PNG data URL: {str(png_data_url)[:40]!r}")
        # an RGBA PNG of width × height, stored uncompressed, in base64, plus room for its chunks
        if len(png_data_url) > (width * height * 4 + 65536) * 4 // 3:
            raise ValueError(f"{len(png_data_url):,} characters, more than a {width} × {height} PNG needs")
        pixels = load_image(base64.b64decode(png_data_url[len(PREFIX):], validate=True), formats=("PNG",),
                            max_size=(width, height))
    except (ImageError, ValueError, binascii.Error) as e:
        log.warning("canvas value ignored: %s", e)
        return None
    if pixels.ndim == 2:  # grey: opaque; the canvas itself always sends RGBA
        pixels = np.dstack([pixels] * 3)
    if pixels.shape[2] == 3:
        pixels = np.dstack([pixels, np.full(pixels.shape[:2], 255, np.uint8)])
    return pixels


def drawing(key: str, width: int, height: int, brush: int) -> np.ndarray | None:
    """The canvas's (height, width, 4) RGBA pixels, or None while nothing is drawn (or the value is not a
    PNG of at most width × height)."""
    labels = {"undo": t("ink_undo"), "redo": t("ink_redo"), "clear": t("clear"), "surface": t("ink_surface")}
    result = _component(data={"width": width, "height": height, "brush": brush, "color": INK, "labels": labels},
                        key=key, default={"drawing": None}, on_drawing_change=lambda: None, width="stretch")
    drawing = result.get("drawing")
    png = drawing.get("png") if isinstance(drawing, dict) else None
    last = st.session_state.get(f"_ink_{key}")
    if last is not None and last.png == png:  # a rerun with the same drawing (a save, a toggle): the same array,
        return last.pixels                    # which is how the page knows its answer is still the one shown
    pixels = decode(png, width, height) if png is not None else None
    raw = drawing.get("strokes") if pixels is not None else None
    st.session_state[f"_ink_{key}"] = _Ink(png, pixels, raw, (width, height))
    return pixels


@dataclass
class _Ink:
    """The last drawing of one canvas: its PNG, its pixels, and its strokes as sent, checked when first asked
    for (only number mode asks)."""
    png: str | None
    pixels: np.ndarray | None
    raw: object
    size: tuple[int, int]
    checked: bool = False
    lines: list[pen.Stroke] | None = None


def strokes(key: str) -> list[pen.Stroke] | None:
    """The strokes of the drawing `drawing(key, ...)` returned last, checked; None when there are none."""
    ink = st.session_state.get(f"_ink_{key}")
    if ink is None or ink.pixels is None:
        return None
    if not ink.checked:
        ink.lines, ink.checked, ink.raw = pen.parse(ink.raw, *ink.size), True, None
        if ink.lines is None:
            log.warning("canvas strokes ignored: not a list of strokes on a %d × %d canvas", *ink.size)
    return ink.lines

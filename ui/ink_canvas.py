"""The drawing surface: our own small Streamlit component (ui/ink_canvas.js), a plain canvas.

Why not streamlit-drawable-canvas: its floating toolbar sat over the top of the surface and took the
pointer-down of strokes begun there, and it waits 200 ms after each stroke before sending. This one
has its Undo / Redo / Clear under the surface, takes mouse, pen and finger alike, and sends the
canvas as a PNG the moment a stroke is lifted.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
import streamlit as st
from PIL import Image

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


def decode(png_data_url: str) -> np.ndarray:
    """A PNG data URL from the canvas → (H, W, 4) uint8 RGBA."""
    _, encoded = png_data_url.split(";base64,", 1)
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(encoded))).convert("RGBA"))


def drawing(key: str, width: int, height: int, brush: int) -> np.ndarray | None:
    """The canvas's (height, width, 4) RGBA pixels, or None while nothing is drawn."""
    labels = {"undo": t("ink_undo"), "redo": t("ink_redo"), "clear": t("clear"), "surface": t("ink_surface")}
    result = _component(data={"width": width, "height": height, "brush": brush, "color": INK, "labels": labels},
                        key=key, default={"drawing": None}, on_drawing_change=lambda: None, width="stretch")
    drawing = result.get("drawing")
    return decode(drawing["png"]) if drawing else None

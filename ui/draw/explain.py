"""The Draw page's Explain panel: why each model gave its answer for the current drawing.

Inside an expander whose state Streamlit tracks (`on_change="rerun"`): nothing is computed until a
student opens it, so the plain answer is never slower. The numbers come from model/explain.py; the
pictures are made here with numpy (diverging colours: red pushed the answer up, blue pulled it down)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from model import explain
from ui import models
from ui.i18n import t
from ui.safe_text import md

UP, DOWN = np.array([220, 38, 38]), np.array([37, 99, 235])  # red: pushed up; blue: pulled down
MAPS_SHOWN = 16  # feature maps per layer


def diverging(values: np.ndarray, cell: int, under: np.ndarray | None = None) -> np.ndarray:
    """(H, W) signed values → (H·cell, W·cell, 3) uint8: white at 0, red positive, blue negative, scaled by
    the largest magnitude; `under` (H, W in [0, 1]) shows the drawing faintly in grey beneath."""
    m = float(np.abs(values).max()) or 1.0
    v = np.clip(values / m, -1, 1)[..., None]                       # (H, W, 1)
    base = np.full(values.shape + (3,), 255.0)
    if under is not None:
        base -= 70 * np.clip(under, 0, 1)[..., None]                 # the ink, pale grey
    rgb = np.where(v > 0, base + v * (UP - base), base + (-v) * (DOWN - base))
    return np.repeat(np.repeat(rgb.astype(np.uint8), cell, 0), cell, 1)


def strip(images: list[np.ndarray], gap: int = 4) -> np.ndarray:
    """Equal-sized RGB tiles side by side on white, `gap` px apart."""
    h, w = images[0].shape[:2]
    out = np.full((h, len(images) * (w + gap) - gap, 3), 255, np.uint8)
    for i, img in enumerate(images):
        out[:, i * (w + gap): i * (w + gap) + w] = img
    return out


def map_tiles(maps: np.ndarray, per_row: int = 8, cell: int = 3) -> np.ndarray:
    """(C, H, W) activations → a grid of grey tiles (bright where the filter found its pattern)."""
    tiles = []
    for m in maps[:MAPS_SHOWN]:
        g = (255 * (1 - m / (m.max() or 1.0))).clip(0, 255).astype(np.uint8)  # strong = dark, like ink
        big = np.repeat(np.repeat(g, cell, 0), cell, 1)
        tiles.append(np.stack([big] * 3, -1))
    rows = [strip(tiles[i:i + per_row]) for i in range(0, len(tiles), per_row)]
    width = max(r.shape[1] for r in rows)
    rows = [np.pad(r, ((0, 4), (0, width - r.shape[1]), (0, 0)), constant_values=255) for r in rows]
    return np.concatenate(rows)


def _saliency(model, image28: np.ndarray, name: str) -> None:
    sal, target = explain.integrated_gradients(model, image28)
    st.image(diverging(sal, 7, under=image28), width=196)
    st.caption(t("explain_saliency", name=md(name), d=target))


def _feature_maps(model, image28: np.ndarray) -> None:
    for i, maps in enumerate(explain.feature_maps(model, image28)):
        st.image(map_tiles(maps), width="stretch")
        st.caption(t("explain_maps_1" if i == 0 else "explain_maps_2", n=len(maps), shown=min(len(maps), MAPS_SHOWN)))


def _units(model, image28: np.ndarray) -> None:
    weights, score, target = explain.top_units(model, image28, k=6)
    if not len(weights):
        return
    st.image(strip([diverging(w, 3) for w in weights]), width="stretch")
    st.caption(t("explain_units", d=target, n=len(weights)))


def panel(image28: np.ndarray, chosen: dict, prefix: str = "draw") -> None:
    """An expander under the answers; computes only while it is open. Keyed `<prefix>_explain`, its columns
    `explain-<slot>` (`<prefix>-explain-<slot>` for another prefix), so that two panels never collide."""
    key, opened = f"{prefix}_explain", f"{prefix}_explain_open"
    # its label is translated, so switching language makes it a new widget: remember the state ourselves
    box = st.expander(t("explain_title"), expanded=st.session_state.get(opened, False), icon=":material/psychology:",
                      key=key, on_change="rerun")
    st.session_state[opened] = box.open
    if not box.open:
        return
    with box:
        for (slot, entry), col in zip(chosen.items(), st.columns(len(chosen))):
            with col, st.container(key=f"explain-{slot}" if prefix == "draw" else f"{prefix}-explain-{slot}"):
                st.markdown(f"**{md(models.label(entry))}**")
                try:
                    model, _ = models.load(entry)
                except Exception as e:  # noqa: BLE001 - a broken checkpoint must not take the page down
                    st.error(t("model_error", name=md(entry.name), err=md(e)))
                    continue
                _saliency(model, image28, entry.name)
                if entry.kind == "cnn":
                    _feature_maps(model, image28)
                else:
                    _units(model, image28)

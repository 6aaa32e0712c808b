"""Draw page: a drawing (or a photo) becomes an MNIST image, and two models answer side by side."""

from __future__ import annotations

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from model.preprocess import ImageError, load_image, preprocess, split_digits
from ui import class_drawings, explain, figures, models, widgets
from ui.i18n import t

CANVAS = 280            # the single-digit canvas, px (10× MNIST's 28)
NUMBER_W, NUMBER_H = 640, 220
COLUMNS = [1.6, 0.85, 1.25, 1.25]  # canvas | what the model sees | slot 1 | slot 2: the canvas must fit
TEST_IMAGE_KEY = "draw_test_image"  # AppTest has no browser canvas: tests put an RGBA array here


def canvas(key: str, width: int, height: int) -> np.ndarray | None:
    """The canvas's RGBA pixels, or None before anything was drawn."""
    brush = st.session_state.get("draw_brush", 18)
    n = st.session_state.get("draw_clears", 0)  # Clear gives the canvas a new key: a fresh, empty one
    result = st_canvas(stroke_width=brush, stroke_color="#111111", background_color="", height=height,
                       width=width, drawing_mode="freedraw", return_image_data=True, key=f"{key}_{n}")
    image = result.image_data if result is not None else None
    return image if image is not None else st.session_state.get(TEST_IMAGE_KEY)


def controls() -> None:
    st.slider(t("brush"), 4, 40, 18, key="draw_brush")
    if st.button(t("clear"), key="draw_clear", icon=":material/ink_eraser:"):
        st.session_state["draw_clears"] = st.session_state.get("draw_clears", 0) + 1
        st.session_state.pop(TEST_IMAGE_KEY, None)
        st.rerun()
    st.caption(t("undo_hint"))


def single(chosen: dict) -> None:
    st.caption(t("draw_hint"))
    st.space("small")  # room for the canvas's floating toolbar
    left, mid, *right = st.columns(COLUMNS, gap="small")
    with left:
        image = canvas("draw_canvas", CANVAS, CANVAS)
        controls()
    answer(image, chosen, mid, right)


def answer(image, chosen: dict, mid, right, pre=None, offer_box: bool = True) -> None:
    """Preprocess `image`, then fill the 'model sees' column and one prediction column per slot."""
    if pre is None and image is not None:
        pre = preprocess(image)
    if pre is None or pre.empty:
        with mid:
            st.info(t("specks") if pre is not None and pre.reason == "specks only" else t("empty"))
        return
    probs = widgets.predict_all(chosen, pre.image)
    with mid:
        widgets.sees_panel(pre)
        widgets.verdict(chosen, probs)
        if offer_box and st.toggle(t("show_crop"), key="draw_show_crop"):
            st.image(figures.with_box(image, pre.box), caption=t("crop_box"), width=196)
    for (slot, entry), col in zip(chosen.items(), right):
        with col:
            widgets.prediction_panel(slot, entry, probs[slot])
    class_drawings.wrong_row(pre.image, image)  # "Wrong? It was a …": saves it to the class's drawings
    explain.panel(pre.image, chosen)            # computed only while its expander is open


def number(chosen: dict) -> None:
    st.caption(t("number_hint"))
    st.space("small")  # room for the canvas's floating toolbar
    image = canvas("draw_number", NUMBER_W, NUMBER_H)
    controls()
    parts = split_digits(image) if image is not None else []
    if not parts:
        st.info(t("empty"))
        return
    stack = np.stack([p.image for p in parts])
    for slot, col in zip(chosen, st.columns(len(chosen))):
        entry = chosen[slot]
        with col, st.container(key=f"number-{slot}"):
            try:
                probs = models.predict(entry, stack)
            except Exception as e:  # noqa: BLE001
                st.error(t("model_error", name=entry.name, err=e))
                continue
            digits = "".join(str(int(p.argmax())) for p in probs)
            st.markdown(f"**{t('number_reads', name=entry.name)}**")
            st.markdown(f"<div class='dl-number' data-number='{digits}'>{digits}</div>", unsafe_allow_html=True)
            st.caption(t("per_digit"))
            for part, p, c in zip(parts, probs, st.columns(max(len(parts), 1))):
                c.image(figures.pixel_grid(part.image, cell=3), width=84)
                c.markdown(f"**{int(p.argmax())}** · {p.max():.0%}")


def upload(chosen: dict) -> None:
    st.caption(t("upload_hint"))
    f = st.file_uploader(t("upload_label"), type=["png", "jpg", "jpeg"], key="draw_upload")
    if f is None:
        return
    try:
        image = load_image(f.getvalue())
    except ImageError as e:
        st.error(t(f"img_{e.kind}", **e.details))
        return
    left, mid, *right = st.columns(COLUMNS, gap="small")
    with left:
        st.caption(t("your_image"))
        pre = preprocess(image)
        st.image(figures.with_box(image, pre.box), width="stretch")
    answer(image, chosen, mid, right, pre, offer_box=False)  # the photo on the left shows the box already


widgets.style()
st.title(t("draw_title"))
chosen = widgets.model_pickers("draw")
if not chosen:
    st.error(t("no_models", err="model/pretrained/ is empty"))
    st.stop()
modes = {"single": t("tab_single"), "number": t("tab_number"), "upload": t("tab_upload")}
mode = st.segmented_control(" ", list(modes), format_func=modes.get, default="single", key="draw_mode",
                            label_visibility="collapsed") or "single"
{"single": single, "number": number, "upload": upload}[mode](chosen)

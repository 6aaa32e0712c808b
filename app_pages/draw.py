"""Draw page: a drawing (or a photo) becomes an MNIST image, and two models answer side by side.

Each mode is a fragment: a stroke, the brush or the crop-box toggle re-runs only the canvas and its
answers, not the title, the pickers or the sidebar (issue 7: the answer within a quarter second).
A change of model or mode re-runs the whole page, which hands the fragments their new `chosen`.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from model.image_file import ImageError, load_image
from ui import class_drawings, figures, models, widgets
from ui.draw import explain, ink_canvas, number_mode
from ui.i18n import t

CANVAS = 280            # the single-digit canvas, px (10× MNIST's 28)
NUMBER_W, NUMBER_H = 560, 240  # 7:3, so that on a phone (358 px wide) it is still 153 px tall for a finger
COLUMNS = [1.6, 0.85, 1.25, 1.25]  # canvas | what the model sees | slot 1 | slot 2: the canvas must fit


def canvas(key: str, width: int, height: int) -> np.ndarray | None:
    """The drawing's RGBA pixels (height, width, 4), or None before anything was drawn."""
    image = ink_canvas.drawing(key, width, height, st.session_state.get("draw_brush", 18))
    st.slider(t("brush"), 4, 40, 18, key="draw_brush")
    return image


@st.fragment
def single(chosen: dict) -> None:
    with models.one_answer_at_a_time() as turn, st.container(key="draw_row"):  # a phone: answers under the canvas
        left, mid, *right = st.columns(COLUMNS, gap="small")
        with left:
            image = canvas("draw_canvas", CANVAS, CANVAS)
        answer(image, chosen, mid, right, turn=turn)


def answer(image, chosen: dict, mid, right, got=None, offer_box: bool = True, turn=None) -> None:
    """Answer `image` (RGBA canvas or photo; `got`: its answer, when the caller has it already), then fill
    the 'model sees' column and one column per slot.

    Sections that explain or correct an answer belong at the end of this function: they have the
    drawing (`image`), what the models saw (`pre.image`, 28×28 in [0, 1]) and the `chosen` models.
    """
    memo = st.session_state.get("draw_memo")
    versions = models.versions(chosen)
    if got is None and memo is not None and memo[0] is image and memo[1] == versions:
        got = memo[2]  # a save or a toggle re-runs the fragment: the drawing is the same
    elif got is None and image is not None:
        got = models.answer(image, chosen)  # preprocessing, the models and the judge, in the worker when warm
    pre = got.pre if got is not None else None
    if pre is None or pre.empty:
        with mid:
            st.info(t("specks") if pre is not None and pre.reason == "specks only" else t("empty"))
        return
    with mid:
        for slot, err in got.errors.items():  # a model that cannot load: its message, the others answer
            widgets.model_error(chosen[slot], err)
    if not got.errors:  # an error is shown again on the next rerun
        st.session_state["draw_memo"] = (image, versions, got)
    probs, not_digit = {slot: got.probs.get(slot) for slot in chosen}, got.not_digit
    ink = int(np.count_nonzero(image[..., 3])) if image.ndim == 3 and image.shape[2] == 4 else None
    for (slot, entry), col in zip(chosen.items(), right):  # the answers first: they are what one waits for
        with col:
            widgets.prediction_panel(slot, entry, probs[slot], ink, not_digit)
    if turn is not None:
        turn.done()  # the answers are out: the next session's turn; what follows is not what one waits for
    with mid:
        widgets.sees_panel(pre)
        widgets.verdict(chosen, probs, not_digit)
        if offer_box and st.toggle(t("show_crop"), key="draw_show_crop"):
            st.image(figures.with_box(image, pre.box), caption=t("crop_box"), width=196)
    class_drawings.wrong_row(pre.image, image)  # "Wrong? It was a …": saves it to the class's drawings
    explain.panel(pre.image, chosen)            # computed only while its expander is open


@st.fragment
def number(chosen: dict) -> None:
    image = canvas("draw_number", NUMBER_W, NUMBER_H)
    number_mode.answer(image, chosen, ink_canvas.strokes("draw_number"))  # readings, touching digits, one digit


@st.fragment
def upload(chosen: dict) -> None:
    f = st.file_uploader(t("upload_label"), type=["png", "jpg", "jpeg"], key="draw_upload", max_upload_size=20)
    if f is None:
        return
    try:
        image = load_image(f.getvalue())
    except ImageError as e:
        st.error(t(f"img_{e.kind}", **e.details))
        return
    with st.container(key="draw_row"):
        left, mid, *right = st.columns(COLUMNS, gap="small")
        got = models.answer(image, chosen)
        with left:
            st.caption(t("your_image"))
            st.image(figures.with_box(image, got.pre.box), width="stretch")
        answer(image, chosen, mid, right, got, offer_box=False)  # the photo on the left shows the box already


widgets.style()
st.title(t("draw_title"))
chosen = widgets.model_pickers("draw")
if not chosen:
    st.error(t("no_models", err="model/pretrained/ is empty"))
    st.stop()
models.start_worker(chosen)  # warm by the first stroke: the answers are then computed beside the server
modes = {"single": t("tab_single"), "number": t("tab_number"), "upload": t("tab_upload")}
mode = st.segmented_control(" ", list(modes), format_func=modes.get, default="single", key="draw_mode",
                            label_visibility="collapsed") or "single"
st.caption(t({"single": "draw_hint", "number": "number_hint", "upload": "upload_hint"}[mode]))  # not rerun by a stroke
{"single": single, "number": number, "upload": upload}[mode](chosen)
class_drawings.nickname_box()  # saved with a drawing picked under "Wrong? It was a …"; a stroke leaves it be

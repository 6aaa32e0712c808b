"""The Draw page's number mode: what each model reads, where touching digits were split, and one digit at a
time with what single mode has (bars, "Wrong? It was a …", Explain). A piece the shared not-a-digit judge
(model/judge.py) flags is a "?" in the reading, with a sentence that says which.

The digits are cut once for both models (model/segment.py, scored by the models that load), so the two
answers are about the same pieces and a correction saves exactly the piece the student picked. A phone
shows one digit's bars at a time, chosen in a segmented control, rather than a column of bars per digit.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from model import segment
from ui import class_drawings, figures, models, widgets
from ui.draw import explain
from ui.i18n import t
from ui.safe_text import md

MARGIN = 0.15  # a saved digit's crop of the drawing: its box and this share of its long side around it


def _crop(image: np.ndarray, box) -> np.ndarray:
    """The drawing around one digit, as saved with it (what a teacher sees when checking the collection)."""
    x0, y0, x1, y1 = box
    m = int(MARGIN * max(x1 - x0, y1 - y0))
    h, w = image.shape[:2]
    return image[max(0, y0 - m):min(h, y1 + m), max(0, x0 - m):min(w, x1 + m)]


def _boxes(image: np.ndarray, parts) -> np.ndarray:
    """The drawing with every digit's box on it, in turn orange and blue so that neighbours stand apart."""
    out = image
    for i, p in enumerate(parts):
        out = figures.with_box(out, p.box, (234, 88, 12) if i % 2 == 0 else (37, 99, 235))
    return out


def answer(image: np.ndarray | None, chosen: dict, strokes=None) -> None:
    """Everything under the number canvas: the readings, a word when digits touched, then one digit. The
    canvas's strokes, when it sent them, part touching digits (model/segment.py)."""
    got = models.read_number(image, chosen, strokes) if image is not None else None  # in the worker when warm
    for slot, err in (got.errors.items() if got is not None else ()):  # a broken checkpoint: its message only
        widgets.model_error(chosen[slot], err)
    reading = got.reading if got is not None else None
    if reading is None or not reading.parts:
        st.info(t("empty"))
        return
    probs = dict(zip(got.slots, reading.probs, strict=True))
    odd = [] if got.not_digit is None else [int(i) for i in np.flatnonzero(got.not_digit)]  # the judge, per piece
    for slot, col in zip(chosen, st.columns(len(chosen))):
        with col, st.container(key=f"number-{slot}"):
            if slot not in probs:
                continue
            digits = "".join("?" if i in odd else str(int(d)) for i, d in enumerate(probs[slot].argmax(1)))
            st.markdown(f"**{md(t('number_reads', name=chosen[slot].name))}**")
            st.markdown(f"<div class='dl-number' data-number='{digits}'>{digits}</div>", unsafe_allow_html=True)
    if odd:
        st.warning(t("number_not_digit", which=", ".join(str(i + 1) for i in odd)), icon=":material/help:")
    if reading.touching:
        st.warning(t("number_touching_unsure" if reading.unsure else "number_touching"), icon=":material/content_cut:")
        st.image(_boxes(image, reading.parts), caption=t("number_cuts"), width=420)  # a phone shrinks it to fit
    _one_digit(image, reading, probs, chosen, odd)


def _one_digit(image: np.ndarray, reading: segment.Reading, probs: dict, chosen: dict, odd: list[int]) -> None:
    first = next(iter(probs))
    read = ["?" if i in odd else int(d) for i, d in enumerate(probs[first].argmax(1))]
    n = len(reading.parts)
    pick = st.segmented_control(t("number_pick"), list(range(n)), key="draw_number_digit", default=0,
                                format_func=lambda i: t("number_option", i=i + 1, d=read[i]))
    i = pick if pick is not None and pick < n else 0
    part = reading.parts[i]
    with st.container(key="number_digit_grid"):  # `_grid`: a phone keeps picture and bars side by side
        cols = st.columns([0.6] + [1] * len(chosen), gap="small")
        cols[0].markdown(figures.sees_html(part.image, t("model_sees"), width=None)
                         + f"<div class='dl-sure'>{t('model_sees')}</div>",
                         unsafe_allow_html=True)
        for (slot, entry), col in zip(chosen.items(), cols[1:]):
            if slot not in probs:
                continue
            with col, st.container(key=f"number-digit-{slot}"):  # as single mode: name, big digit, how sure, bars
                widgets.prediction_panel(slot, entry, probs[slot][i], not_digit=i in odd, key=f"number-answer-{slot}")
    class_drawings.wrong_row(part.image, _crop(image, part.box), suffix="-number")  # saves this digit only
    explain.panel(part.image, chosen, prefix="number")

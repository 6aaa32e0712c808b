"""Explore page: the MNIST data itself, how a model does on the test set image by image, and the class's drawings.

What seeds 000, 001 and 003 plot around their training: the class balance, a random sample grid, each
digit's mean image and the spread of pixel values, and test images with their probability bars, blue
when the model is right and red when it is wrong.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui import class_drawings, data_figures, figures, models, widgets
from ui.i18n import t

SAMPLES, TILES, PER_ROW = 24, 24, 12

widgets.style()
st.title(t("explore_title"))
data = models.mnist()

st.subheader(t("explore_balance"))
st.plotly_chart(figures.class_counts(np.bincount(data.y_train, minlength=10), np.bincount(data.y_test, minlength=10),
                                     (t("explore_train"), t("explore_test"))),
                config={"displayModeBar": False}, key="explore_counts")

st.subheader(t("explore_samples"))
if st.button(t("explore_shuffle"), key="explore_shuffle", icon=":material/shuffle:"):
    st.session_state["explore_draw"] = st.session_state.get("explore_draw", 0) + 1
pick = np.random.default_rng(st.session_state.get("explore_draw", 0)).choice(len(data.y_train), SAMPLES, replace=False)
with st.container(key="explore_samples_grid"):  # `_grid`: a phone wraps it, not stacks it (ui/stylesheet.py)
    for row in range(0, SAMPLES, PER_ROW):
        for i, col in zip(pick[row:row + PER_ROW], st.columns(PER_ROW)):
            col.image(figures.pixel_grid(data.x_train[i] / 255, cell=3), caption=str(data.y_train[i]),
                      width="stretch")

st.subheader(t("explore_means"), help=t("explore_means_help"))
with st.container(key="explore_means_grid"):
    for d, (mean, col) in enumerate(zip(data_figures.digit_means(data.x_train, data.y_train), st.columns(10))):
        col.image(figures.pixel_grid(mean, cell=3), caption=str(d), width="stretch")

st.subheader(t("explore_spread"), help=t("explore_spread_help"))
log = st.toggle(t("explore_log"), value=True, key="explore_log")
st.plotly_chart(data_figures.intensity_hist(data_figures.intensity_counts(data.x_train, len(data.x_train)),
                                            t("explore_intensity"), t("explore_share"), log),
                config={"displayModeBar": False}, key="explore_spread")

class_drawings.explore_section()

st.subheader(t("explore_predictions"))
entries = models.entries()
if not entries:
    st.stop()
default = next((i for i, e in enumerate(entries) if e.source == "shipped" and e.name == "cnn"), 0)
a, b = st.columns([2, 1], vertical_alignment="bottom")
entry = a.selectbox(t("explore_model"), entries, index=default, format_func=models.option, key="explore_model")
only_wrong = b.toggle(t("explore_only_wrong"), key="explore_wrong")
probs = models.test_set_probs(entry)
pred = probs.argmax(1)
wrong = np.flatnonzero(pred != data.y_test)
st.caption(t("explore_score", acc=1 - len(wrong) / len(pred), wrong=len(wrong), n=len(pred)))
shown = wrong[:TILES] if only_wrong else np.arange(TILES)  # from test image 1, as seed 001 starts
with st.container(key="explore_tiles_grid"):
    for row in range(0, len(shown), PER_ROW // 2):
        for i, col in zip(shown[row:row + PER_ROW // 2], st.columns(PER_ROW // 2)):
            with col, st.container(key=f"explore_tile_{i}"):
                st.image(figures.prediction_tile(data.x_test[i] / 255, probs[i], int(data.y_test[i])),
                         caption=t("explore_tile", n=i + 1, label=int(data.y_test[i]), pred=int(pred[i]),
                                   p=float(probs[i].max())), width="stretch")

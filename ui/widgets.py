"""Widgets the pages share: model pickers, the 'what the model sees' panel and prediction panels."""

from __future__ import annotations

import numpy as np
import streamlit as st

from model.preprocess import Preprocessed
from ui import figures, models
from ui.i18n import t

UNSURE_BELOW = 0.5   # below this top probability we say "not sure" instead of pretending
SLOTS = ("mlp", "cnn")  # the two side-by-side panels; each defaults to the shipped model of that name

CSS = """
<style>
.block-container {padding-left: 2rem; padding-right: 2rem; padding-top: 2.5rem; max-width: 1500px;}
.dl-digit {font-size: 5.5rem; font-weight: 800; line-height: 1; margin: .1rem 0 .2rem 0;}
.dl-unsure {font-size: 1.1rem; font-weight: 600; color: #b45309;}
.dl-verdict {font-size: 1.6rem; font-weight: 700; padding: .4rem .8rem; border-radius: .5rem;
             background: #f1f5f9; display: inline-block;}
.dl-number {font-size: 4rem; font-weight: 800; letter-spacing: .3rem; line-height: 1.1;}
</style>
"""


def style() -> None:
    st.markdown(CSS, unsafe_allow_html=True)


def model_pickers(prefix: str) -> dict[str, models.store.ModelEntry]:
    """One selectbox per slot, defaulting to the shipped model of the slot's name. {} if none exist."""
    entries = models.entries()
    if not entries:
        return {}
    chosen = {}
    for slot, col in zip(SLOTS, st.columns(len(SLOTS))):
        default = next((i for i, e in enumerate(entries) if e.source == "shipped" and e.name == slot), 0)
        with col:
            chosen[slot] = st.selectbox(t("pick_model", slot=slot.upper()), entries, index=default,
                                        format_func=models.option, key=f"{prefix}_model_{slot}")
    return chosen


def sees_panel(pre: Preprocessed) -> None:
    st.markdown(f"**{t('model_sees')}**", help=t("model_sees_help"))
    st.image(figures.pixel_grid(pre.image, cell=7), width=196)


def predict_all(chosen: dict, image28: np.ndarray) -> dict[str, np.ndarray | None]:
    """Probabilities per slot; a model that fails to load gets an error message and None."""
    out = {}
    for slot, entry in chosen.items():
        try:
            out[slot] = models.predict(entry, image28)
        except Exception as e:  # noqa: BLE001 - a broken checkpoint must not take the page down
            st.error(t("model_error", name=entry.name, err=e))
            out[slot] = None
    return out


def prediction_panel(slot: str, entry, probs: np.ndarray | None) -> None:
    """The big digit, its confidence and the bars, inside container `prediction-<slot>` for browser tests."""
    with st.container(key=f"prediction-{slot}"):
        st.markdown(f"**{models.label(entry)}**")
        if probs is None:
            return
        digit, p = int(probs.argmax()), float(probs.max())
        color = models.COLORS.get(slot, "#334155")
        st.markdown(f"<div class='dl-digit' style='color:{color}' data-digit='{digit}'>{digit}</div>",
                    unsafe_allow_html=True)
        if p < UNSURE_BELOW:
            st.markdown(f"<div class='dl-unsure'>{t('unsure')}</div>", unsafe_allow_html=True)
        st.caption(t("confidence", p=p))
        st.plotly_chart(figures.prob_bars(probs, color, t("digit")),
                        config={"displayModeBar": False}, key=f"bars-{slot}")


def verdict(chosen: dict, probs: dict) -> None:
    got = {s: int(p.argmax()) for s, p in probs.items() if p is not None}
    if len(got) < 2:
        return
    (a, da), (b, db) = got.items()
    if da == db:
        text = t("both_say", d=da)
    else:
        text = t("disagree", a=chosen[a].name, da=da, b=chosen[b].name, db=db)
    st.markdown(f"<div class='dl-verdict'>{text}</div>", unsafe_allow_html=True)

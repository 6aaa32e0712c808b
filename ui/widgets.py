"""Widgets the pages share: model pickers, the 'what the model sees' panel and prediction panels."""

from __future__ import annotations

import numpy as np
import streamlit as st

from model.preprocess import Preprocessed
from ui import figures, models
from ui.i18n import t
from ui.safe_text import md

UNSURE_BELOW = 0.5   # below this top probability we say "not sure" instead of pretending
SLOTS = ("mlp", "cnn")  # the two side-by-side panels; each defaults to the shipped model of that name

CSS = """
<style>
.block-container {padding-left: 2rem; padding-right: 2rem; padding-top: 2.5rem; max-width: 1500px;}
.dl-digit {font-size: 5.5rem; font-weight: 800; line-height: 1; margin: .1rem 0 .2rem 0;}
.dl-sure {font-size: .875rem; color: #64748b; margin-bottom: .5rem;}
.dl-unsure {font-size: 1.1rem; font-weight: 600; color: #b45309;}
.st-key-verdict {padding: .4rem .8rem; border-radius: .5rem; background: #f1f5f9; width: fit-content;}
.st-key-verdict p {font-size: 1.6rem; font-weight: 700; line-height: 1.3; margin: 0; color: #0f172a;}
.st-key-verdict [data-testid="stMarkdownContainer"] {margin-bottom: 0;}
.dl-bars {display: flex; align-items: flex-end; gap: 4px; height: 190px; padding-top: 1.3rem;
          border-bottom: 1px solid #cbd5e1;
          background: linear-gradient(#e2e8f0, #e2e8f0) 0 1.3rem / 100% 1px no-repeat;}  /* the 100% line */
.dl-bar {flex: 1; height: 100%; display: flex; flex-direction: column; justify-content: flex-end; position: relative;}
.dl-fill {width: 100%; min-height: 1px; border-radius: 2px 2px 0 0;}
.dl-pct {font-size: .7rem; color: #64748b; text-align: center; white-space: nowrap;}
.dl-tick {position: absolute; bottom: -1.5rem; width: 100%; text-align: center; font-size: 1rem; color: #475569;}
.dl-axis {text-align: center; font-size: .8rem; color: #64748b; margin-top: 1.6rem;}
.dl-number {font-size: 4rem; font-weight: 800; letter-spacing: .3rem; line-height: 1.1;}
</style>
"""


def waiting(slot: str, place: int | None, holder: str | None) -> None:
    """A queued job's (a run's or a sweep's) place in its device's queue, and the job holding the device."""
    name = {"cpu": "CPU", "ray": "Ray cluster"}.get(slot, "GPU " + slot if slot.startswith("cuda") else slot)
    if place is None:
        return
    text = t("train_waiting", pos=place, slot=md(name))
    if holder:
        text += " " + t("train_waiting_for", name=md(holder))
    st.info(text, icon=":material/hourglass_top:")


def model_error(entry, err: Exception) -> None:
    st.error(t("model_error", name=md(entry.name), err=md(err)))


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
            model_error(entry, e)
            out[slot] = None
    return out


def prediction_panel(slot: str, entry, probs: np.ndarray | None, ink: int | None = None) -> None:
    """The big digit, its confidence and the bars, inside container `prediction-<slot>` for browser tests.

    `ink`: how many pixels of the drawing hold ink, carried as `data-ink` so that a browser test can
    tell the answer to the drawing now on the canvas from the answer to the one before.

    Two elements, not six: each element is a message to the browser, and on a busy machine every
    message can wait for a core. The name goes through Markdown, escaped; the HTML holds no user text.
    """
    with st.container(key=f"prediction-{slot}"):
        st.markdown(f"**{md(models.label(entry))}**")  # a run's name is typed by a user
        if probs is None:
            return
        digit, p = int(probs.argmax()), float(probs.max())
        color = models.COLORS.get(slot, "#334155")
        unsure = f"<div class='dl-unsure'>{t('unsure')}</div>" if p < UNSURE_BELOW else ""
        data = f" data-ink='{int(ink)}'" if ink is not None else ""
        st.markdown(f"<div class='dl-digit' style='color:{color}' data-digit='{digit}'{data}>{digit}</div>{unsure}"
                    f"<div class='dl-sure'>{t('confidence', p=p)}</div>"
                    f"{figures.prob_bars(probs, color, t('digit'))}", unsafe_allow_html=True)


def verdict(chosen: dict, probs: dict) -> None:
    got = {s: int(p.argmax()) for s, p in probs.items() if p is not None}
    if len(got) < 2:
        return
    (a, da), (b, db) = got.items()
    if da == db:
        text = t("both_say", d=da)
    else:
        text = t("disagree", a=chosen[a].name, da=da, b=chosen[b].name, db=db)
    with st.container(key="verdict"):  # plain Markdown, escaped: the names may be typed by a user
        st.markdown(md(text))

"""Widgets the pages share: model pickers, the 'what the model sees' panel and prediction panels."""

from __future__ import annotations

import numpy as np
import streamlit as st

from model.preprocess import Preprocessed
from ui import figures, models, stylesheet
from ui.i18n import t
from ui.safe_text import html_text, md

UNSURE_BELOW = 0.5   # below this top probability we say "not sure" instead of pretending
SLOTS = ("mlp", "cnn")  # the two side-by-side panels; each defaults to the shipped model of that name



def waiting(slot: str, place: int | None, holder: str | None) -> None:
    """A queued job's (a run's or a sweep's) place in its device's queue, and the job holding the device."""
    name = {"cpu": "CPU", "ray": "Ray cluster"}.get(slot, "GPU " + slot if slot.startswith("cuda") else slot)
    if place is None:
        return
    text = t("train_waiting", pos=place, slot=md(name))
    if holder:
        text += " " + t("train_waiting_for", name=md(holder))
    st.info(text, icon=":material/hourglass_top:")


def style() -> None:
    """The app's one stylesheet (ui/stylesheet.py): every page calls this first."""
    stylesheet.page()


def model_error(entry, err: Exception) -> None:
    st.error(t("model_error", name=md(entry.name), err=md(err)))


def model_pickers(prefix: str) -> dict[str, models.store.ModelEntry]:
    """One selectbox per slot, its own kind first (the MLP slot lists MLPs first), defaulting to the shipped
    model of the slot's name. {} if none exist. Keyed `<prefix>_pickers`: a phone keeps them on one row."""
    entries = models.entries()
    if not entries:
        return {}
    chosen = {}
    with st.container(key=f"{prefix}_pickers"):
        for slot, col in zip(SLOTS, st.columns(len(SLOTS))):
            mine = sorted(entries, key=lambda e: e.kind != slot)  # stable: shipped, then newest runs, as listed
            default = next((i for i, e in enumerate(mine) if e.source == "shipped" and e.name == slot), 0)
            with col:
                chosen[slot] = st.selectbox(t("pick_model", slot=slot.upper()), mine, index=default,
                                            format_func=models.option, key=f"{prefix}_model_{slot}")
    return chosen


def sees_panel(pre: Preprocessed) -> None:
    st.markdown(f"**{t('model_sees')}**", help=t("model_sees_help"))
    st.markdown(figures.sees_html(pre.image, t("model_sees")), unsafe_allow_html=True)  # inline: no media file


def prediction_panel(slot: str, entry, probs: np.ndarray | None, ink: int | None = None,
                     not_digit: bool | None = None, key: str | None = None) -> None:
    """The model's name, the big digit and its confidence inside container `prediction-<slot>` (the answer a
    phone must show without scrolling), then the bars below it.

    `ink`: how many pixels of the drawing hold ink, carried as `data-ink` so that a browser test can
    tell the answer to the drawing now on the canvas from the answer to the one before.
    `not_digit`: the shared judge's verdict (None: no judge). A mark that is not a digit gets that sentence
    (`data-not-digit`) instead of a big digit; the model's most likely digit stays, small and labelled a guess.
    `key`: the container's key, when it is not single mode's answer (number mode's digit: `number-answer-<slot>`).

    Two elements and a container: each element is a message to the browser, and on a busy machine every
    message waits for the server's one core (about 0.7 ms each on the 2-core box). The run's name is typed
    by a user: alone it goes through Markdown, escaped; beside the digit, through HTML, escaped
    (`safe_text.html_text`).
    """
    with st.container(key=key or f"prediction-{slot}"):
        if probs is None:
            st.markdown(f"**{md(models.label(entry))}**")
            return
        name = f"<div class='dl-name'>{html_text(models.label(entry))}</div>"
        digit, p = int(probs.argmax()), float(probs.max())
        color = models.COLORS.get(slot, "#334155")
        data = f" data-ink='{int(ink)}'" if ink is not None else ""
        if not_digit:
            st.markdown(f"{name}<div class='dl-not-digit' data-not-digit='true'{data}>{t('not_digit')}</div>"
                        f"<div class='dl-sure'>{t('not_digit_guess', d=digit, p=p)}</div>", unsafe_allow_html=True)
        else:
            unsure = f"<div class='dl-unsure'>{t('unsure')}</div>" if p < UNSURE_BELOW else ""
            st.markdown(f"{name}<div class='dl-digit' style='color:{color}' data-digit='{digit}'{data}>{digit}</div>"
                        f"{unsure}<div class='dl-sure'>{t('confidence', p=p)}</div>", unsafe_allow_html=True)
    st.markdown(figures.prob_bars(probs, color, t("digit")), unsafe_allow_html=True)


def verdict(chosen: dict, probs: dict, not_digit: bool | None = None) -> None:
    """One line under "what the model sees": both agree, they disagree, or (the shared judge) not a digit."""
    got = {s: int(p.argmax()) for s, p in probs.items() if p is not None}
    if not_digit and got:
        text = t("neither_digit")
    elif len(got) < 2:
        return
    else:
        (a, da), (b, db) = got.items()
        if da == db:
            text = t("both_say", d=da)
        else:
            text = t("disagree", a=chosen[a].name, da=da, b=chosen[b].name, db=db)
    with st.container(key="verdict"):  # plain Markdown, escaped: the names may be typed by a user
        st.markdown(md(text))

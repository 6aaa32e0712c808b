"""Digit Lab: the Streamlit entry. Page config, the sidebar (language, device, who holds the teacher's
controls) and navigation."""

import streamlit as st
import torch

from jobs import background
from train import run
from ui import roles, stylesheet
from ui.i18n import LANGS, TRANSLATED_DROPDOWNS, t

background.mark_serving()  # training jobs started from here yield the CPU to the students' answers
st.set_page_config(page_title="Digit Lab", page_icon="✍️", layout="wide")


def device_label() -> str:
    if torch.cuda.is_available():
        return f"GPU · {torch.cuda.get_device_name(0)}"
    return f"CPU · {t('threads', n=torch.get_num_threads())}"


def on_language() -> None:
    """Keep the language in the URL (a reload or a shared link keeps it), and make the dropdowns
    redraw their translated choices: the browser keeps a dropdown's old text until its value is set."""
    st.query_params["lang"] = st.session_state["lang"]
    for key in TRANSLATED_DROPDOWNS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


if "lang" not in st.session_state:
    st.session_state["lang"] = st.query_params.get("lang", "en") if st.query_params.get("lang") in LANGS else "en"
with st.sidebar:
    st.radio(t("language"), list(LANGS), format_func=LANGS.get, key="lang", horizontal=True, on_change=on_language)
    st.caption(f"{t('device')}: {device_label()}")
    roles.sidebar()  # first, before any page: a `?teacher=` link is read and leaves the address bar
    stylesheet.projector_switch()
if roles.is_teacher():
    run.warm_standby()  # from the teacher's first page on: by their first Start, a warm process waits

pages = [st.Page("app_pages/draw.py", title=t("page_draw"), icon=":material/draw:", default=True),
         st.Page("app_pages/wall.py", title=t("page_wall"), icon=":material/wallpaper:"),
         st.Page("app_pages/train.py", title=t("page_train"), icon=":material/monitoring:"),
         st.Page("app_pages/evaluate.py", title=t("page_evaluate"), icon=":material/fact_check:"),
         st.Page("app_pages/explore.py", title=t("page_explore"), icon=":material/grid_view:"),
         st.Page("app_pages/sweep.py", title=t("page_sweep"), icon=":material/stacked_line_chart:")]
st.navigation(pages).run()

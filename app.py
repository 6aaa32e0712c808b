"""Digit Lab: the Streamlit entry. Page config, the sidebar (language, device) and navigation."""

import streamlit as st
import torch

from ui.i18n import LANGS, t

st.set_page_config(page_title="Digit Lab", page_icon="✍️", layout="wide")


@st.cache_resource(show_spinner=False)
def device_label() -> str:
    if torch.cuda.is_available():
        return f"GPU · {torch.cuda.get_device_name(0)}"
    return f"CPU · {torch.get_num_threads()} threads"


with st.sidebar:
    st.radio(t("language"), list(LANGS), format_func=LANGS.get, key="lang", horizontal=True)
    st.caption(f"{t('device')}: {device_label()}")

pages = [st.Page("app_pages/draw.py", title=t("page_draw"), icon=":material/draw:", default=True),
         st.Page("app_pages/train.py", title=t("page_train"), icon=":material/monitoring:")]
st.navigation(pages).run()

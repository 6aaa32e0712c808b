"""Class wall page: for the projector, the class's drawings as they arrive with both models' answers and the
tally; for the teacher, how to join beside it and a way to hide a drawing."""

import streamlit as st

from ui import roles, widgets
from ui.i18n import t
from ui.wall import view as wall

widgets.style()
st.markdown(wall.CSS, unsafe_allow_html=True)
head, join = st.columns([3, 1]) if roles.is_teacher() else (st.container(), None)
with head:
    st.title(t("wall_title"))
    st.caption(t("wall_intro"))
if join is not None:
    with join:
        roles.join_panel(qr_width=150)
tiles = st.container()  # the wall first; the model pickers under it, out of the projector's first screen
with st.expander(t("wall_models")):
    chosen = widgets.model_pickers("wall")
if chosen:
    with tiles:
        wall.live(chosen)

"""Sweep page: seed 004's k × m study as a background job, its plot filling in live, past sweeps.

The sections are in ui/: the form (ui/sweep/form.py), the shown sweep (ui/sweep/view.py) and the past
sweeps (ui/sweep/history.py). Starting, stopping and deleting are the teacher's (ui.roles).
"""

import streamlit as st

from sweep import job as sweep_jobs
from ui import widgets
from ui.i18n import t
from ui.sweep import form as sweep_form
from ui.sweep import history as sweep_history
from ui.sweep import view as sweep_view

widgets.style()
st.title(t("sweep_title"))
st.caption(t("sweep_intro"))
sweeps = sweep_jobs.list_sweeps()
with st.expander(t("sweep_new"), expanded=not any(s.active for s in sweeps)):
    sweep_form.new_sweep()
sweep_view.shown(sweeps)
if sweeps:
    sweep_history.past(sweeps)

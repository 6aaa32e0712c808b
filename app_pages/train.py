"""Train page: pick a preset or build a variant, start a job, watch its curves live, compare past runs.

Jobs are separate processes (jobs/queue.py) and every state is read back from the run directories, so
leaving the page, reloading the browser or restarting the server shows the same jobs with full curves.
"""

import streamlit as st

from jobs import queue as jobs
from train import run
from ui import widgets
from ui.i18n import t
from ui.train import form as train_form
from ui.train import run_history, run_view

widgets.style()
st.title(t("train_title"))
st.caption(t("train_intro"))
st.session_state["train_full_run"] = True  # the live view redraws the whole page only when it runs on its own
snap = st.session_state["train_snapshot"] = jobs.refresh()  # one reading of the queue for every card and the table
form, view = st.columns([1.05, 2], gap="large")
with form:
    train_form.new_run()
with view:
    run_view.live()
    run_history.history(run.runs(snap))

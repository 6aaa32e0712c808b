"""The Sweep page's past sweeps: a table of every sweep, show one, compare several, delete (the teacher's).

Deleting is checked with ui.roles where it happens: a student sees the button disabled, and a forged
click from a student's session deletes nothing.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sweep import job as sweep_jobs
from ui import roles
from ui.i18n import t
from ui.job_events import forget
from ui.sweep import figures as sweep_figures
from ui.sweep.view import CHART, state_word


def grid_text(cfg) -> str:
    return (f"k {','.join(map(str, cfg.ks))} × m {cfg.ms[0]}…{cfg.ms[-1]} ({len(cfg.ms)}), "
            f"{t('sweep_epochs_short', n=cfg.epochs)}, {cfg.backend}")


def best_text(s: sweep_jobs.SweepInfo) -> str:
    b = s.status.get("best")
    return f"k = {b['k']}, m = {b['m']}: {b['test_acc']:.2%}" if b else "—"


def delete(names: dict, chosen: list[str]) -> None:
    if not roles.is_teacher():
        return
    for name in chosen:
        try:
            sweep_jobs.delete(names[name].folder)
        except ValueError:
            st.error(t("sweep_delete_running", name=name))
            return
        forget(names[name].folder)
    st.session_state.pop("sweep_chosen", None)
    st.query_params.pop("sweep", None)
    st.rerun()


def past(sweeps: list[sweep_jobs.SweepInfo]) -> None:
    st.subheader(t("sweep_past"))
    st.dataframe(pd.DataFrame([{
        t("sweep_col_name"): s.name, t("sweep_col_state"): state_word(s), t("sweep_col_grid"): grid_text(s.config),
        t("sweep_col_best"): best_text(s)} for s in sweeps]), hide_index=True)
    names = {s.folder.name: s for s in sweeps}
    chosen = st.multiselect(t("sweep_compare"), list(names), key="sweep_chosen")
    a, b, _ = st.columns([1, 1, 4])
    if a.button(t("sweep_open"), disabled=len(chosen) != 1, key="sweep_open"):
        st.query_params["sweep"] = chosen[0]
        st.rerun()
    teacher = roles.is_teacher()
    if b.button(t("sweep_delete"), disabled=not chosen or not teacher, key="sweep_delete"):
        delete(names, chosen)
    if chosen:
        picked = [(n, sweep_jobs.rows(names[n].folder), names[n].config.protocol) for n in chosen]
        st.plotly_chart(sweep_figures.compare_figure(picked, t("sweep_compare_title"), t("sweep_axis_acc")),
                        config=CHART, key="sweep_compare_fig")

"""The Sweep page's view of one sweep: its state, progress or projected time, seed 004's plot and the
heatmap, and once it has ended the best cell, the table, the downloads and "train this one fully".

A sweep is a process of its own (sweep/job.py) that writes events to its folder; this view only reads
them back (ui.job_events), so a reload, another tab or a restarted server shows the same sweep, live.
Stopping, cancelling and "train this one fully" are the teacher's: checked where each happens.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from jobs import queue as jobs
from sweep import estimate
from sweep import job as sweep_jobs
from sweep.core import best_row
from ui import roles, widgets
from ui.i18n import t
from ui.job_events import duration, events_of
from ui.safe_text import md
from ui.sweep import figures as sweep_figures

CHART = {"displayModeBar": False}


def state_word(info: sweep_jobs.SweepInfo) -> str:
    """The one word for a sweep's state, wherever it is shown: a claimed queued sweep is starting."""
    return t(f"train_state_{info.state}")  # the job record derives "starting" (queued and claimed)


def plots(info: sweep_jobs.SweepInfo, events: list[dict]) -> None:
    cfg = info.config
    scores = sweep_figures.cell_scores(events, cfg.protocol)
    note = t("sweep_chart_waiting" if info.active else "sweep_chart_empty")
    title = t("sweep_plot_title" if cfg.protocol == "seed004" else "sweep_plot_title_test")
    left, right = st.columns([3, 2])
    left.plotly_chart(sweep_figures.lines_figure(scores, title, t("sweep_axis_acc"), note,
                                                 sweep_figures.finished(events)),
                      config=CHART, key=f"sweep_lines_{info.folder.name}")
    right.plotly_chart(sweep_figures.heatmap_figure(scores, list(cfg.ks), list(cfg.ms), t("sweep_heat_title"), note),
                       config=CHART, key=f"sweep_heat_{info.folder.name}")


def header(info: sweep_jobs.SweepInfo, events: list[dict]) -> None:
    teacher = roles.is_teacher()
    st.markdown(f"**{t('sweep_state', name=md(info.name), state=state_word(info))}**")
    if info.waiting:
        q = jobs.queue(info.folder.parent.parent)
        widgets.waiting(info.slot, q.places.get(info.folder), q.holders.get(info.slot))
        st.caption(t("sweep_eta_queued", eta=duration(estimate.projected_seconds(info.config))))
        if st.button(t("train_cancel"), key=f"sweep_cancel_{info.folder.name}", disabled=not teacher) and teacher:
            sweep_jobs.stop(info.folder)
    elif info.active:
        p = sweep_figures.progress(events, info.config.epochs)
        if p["k"] is None:
            st.progress(0.0, text=t("sweep_loading"))
        else:
            st.progress(min(1.0, p["done"] / max(p["cells"], 1)))
            st.caption(t("sweep_progress", k=p["k"], epoch=p["epoch"], epochs=info.config.epochs, done=p["done"],
                         training=p["training"], cells=p["cells"], rate=p["cells_per_s"], left=duration(p["left_s"])))
        if st.button(t("sweep_stop"), key=f"sweep_stop_{info.folder.name}", disabled=not teacher) and teacher:
            sweep_jobs.stop(info.folder)
    elif info.state == "failed":
        st.error(t("sweep_failed", error=md(info.status.get("error", "?"))))
    elif info.state == "interrupted":
        st.warning(t("sweep_interrupted"))


@st.fragment(run_every=1.0)
def live(folder) -> None:
    """Redrawn every second while the sweep runs; when it ends, the whole page redraws with the results."""
    info = sweep_jobs.read(folder)
    if info is None:
        st.rerun()
    if info.waiting and jobs.tick(info.folder.parent.parent):  # as the Train page does: start what can start
        info = sweep_jobs.read(folder)
    events = events_of(folder)
    header(info, events)
    if not info.waiting:  # nothing to plot until it starts
        plots(info, events)
    if not info.active:
        st.rerun()


def results(info: sweep_jobs.SweepInfo) -> None:
    rows = sweep_jobs.rows(info.folder)
    if not rows:
        return
    best = best_row(rows, info.config.protocol)
    seed004 = info.config.protocol == "seed004"
    st.success(t("sweep_best", k=best["k"], m=best["m"], score=best["val_acc" if seed004 else "test_acc"],
                 what=t("sweep_what_val" if seed004 else "sweep_what_test"), test=best["test_acc"],
                 epoch=best["best_epoch"]))
    table = pd.DataFrame([{"k": r["k"], "m": r["m"], "val_acc": r["val_acc"], "test_acc": r["test_acc"],
                           "best_epoch": r["best_epoch"], "seconds": r["seconds"]} for r in rows])
    st.markdown(f"**{t('sweep_table')}**")
    pct = lambda key: st.column_config.NumberColumn(t(key), format="percent")  # noqa: E731
    st.dataframe(table, hide_index=True, height=260, column_config={
        "k": t("sweep_col_k"), "m": t("sweep_col_m"), "val_acc": pct("sweep_col_val"),
        "test_acc": pct("sweep_col_test"), "best_epoch": t("sweep_col_epoch"),
        "seconds": st.column_config.NumberColumn(t("sweep_col_seconds"), format="%.1f")})
    a, b, c, d = st.columns([1, 1, 2, 1])
    a.download_button(t("sweep_csv"), table.to_csv(index=False), f"{info.folder.name}.csv", "text/csv",
                      key="sweep_csv")
    b.download_button(t("sweep_json"), json.dumps({"config": info.config.to_dict(), "rows": rows}, indent=1),
                      f"{info.folder.name}.json", "application/json", key="sweep_json")
    cells = [(r["k"], r["m"]) for r in rows]
    cell = c.selectbox(t("sweep_cell"), cells, index=cells.index((best["k"], best["m"])),
                       format_func=lambda km: f"k = {km[0]}, m = {km[1]}", key="sweep_cell")
    d.markdown("<div style='height: 1.75rem'></div>", unsafe_allow_html=True)  # align with the selectbox
    teacher = roles.is_teacher()
    if d.button(t("sweep_train_fully"), key="sweep_train_fully", disabled=not teacher) and teacher:
        sweep_jobs.train_fully(*cell)
        st.success(t("sweep_train_started", k=cell[0], m=cell[1]))


def shown(sweeps: list[sweep_jobs.SweepInfo]) -> None:
    """The sweep named in the URL (?sweep=…), else the newest: live while it runs, else its results."""
    st.subheader(t("sweep_current"))
    wanted = st.query_params.get("sweep")
    info = next((s for s in sweeps if s.folder.name == wanted), sweeps[0] if sweeps else None)
    if info is None:
        st.info(t("sweep_none"))
    elif info.active:
        live(info.folder)
    else:
        events = events_of(info.folder)
        header(info, events)
        plots(info, events)
        results(info)

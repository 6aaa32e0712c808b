"""The Train page's history: every run in a table, picked runs' curves overlaid, and deleting runs."""

from __future__ import annotations

import numbers
import time

import streamlit as st

from jobs import queue as jobs
from model.nets import config_from_dict, describe
from ui import roles
from ui.i18n import t
from ui.job_events import duration, events_of, forget
from ui.safe_text import md, plain
from ui.train import curves
from ui.train.run_view import CHART, kind_of, labels, result, state_text


def _number(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def percent(v) -> str:  # as text: the table would show a missing number as "None"
    return f"{v:.2%}" if _number(v) else "—"


def summary(run: jobs.Job) -> str:
    """One line of settings for the table; whatever a damaged config.json holds shows as '?'."""
    c = run.config
    try:
        shape = describe(config_from_dict(c.get("model")))
    except ValueError:
        shape = "?"
    lr = f"{c['lr']:g}" if _number(c.get("lr")) else "?"
    return f"{shape} · {c.get('optimizer', '?')} {lr} · batch {c.get('batch_size', '?')} · {c.get('epochs', '?')} ep"


def delete(runs: list[jobs.Job]) -> str | None:
    """Delete the picked runs; the sentence to show if one cannot be (named, never a path of the server)."""
    for r in runs:
        try:
            jobs.delete(r.folder, r.folder.parent)
        except jobs.JobBusy as e:  # started since it was picked, here or in another session
            return t("train_delete_running", name=md(e.name))
        except ValueError:
            return t("train_delete_failed", name=md(r.name))
        forget(r.folder)
    return None


@st.dialog(" ")
def confirm_delete(runs: list[jobs.Job]) -> None:
    st.markdown(t("train_delete_confirm", n=len(runs)))
    for r in runs:
        st.markdown(f"- {md(r.name)}")
    if st.button(t("train_delete_yes"), type="primary", key="train_delete_yes") and roles.allowed():
        if (error := delete(runs)) is not None:
            st.error(error)
            return
        st.rerun()


def history(runs: list[jobs.Job]) -> None:
    """The table of `runs` (the page's snapshot of them, newest first)."""
    st.subheader(t("train_history"))
    if not runs:
        st.caption(t("train_no_runs"))
        return
    rows = [{t("train_col_name"): plain(r.name), t("train_col_test"): percent(r.metrics.get("test_acc")),
             t("train_col_state"): state_text(r),
             t("train_col_time"): duration(r.metrics.get("seconds")),
             t("train_col_device"): plain(r.metrics.get("device_name") or r.slot.upper()),
             t("train_col_preset"): plain(r.preset), t("train_col_settings"): plain(summary(r)),
             t("train_col_date"): time.strftime("%Y-%m-%d %H:%M", time.localtime(r.created))} for r in runs]
    pick = st.dataframe(rows, hide_index=True, on_select="rerun", selection_mode="multi-row",
                        key=f"train_history_{len(runs)}")  # a new key when runs come or go: no stale selection
    chosen = [runs[i] for i in pick.selection.rows]
    if not chosen:
        st.caption(t("train_pick_hint"))
        return
    series = [(plain(r.name), kind_of(r), events_of(r.folder)) for r in chosen]
    a, b = st.columns(2)
    a.plotly_chart(curves.compare_figure(series, "test_acc", labels()), config=CHART, key="train_cmp_acc")
    b.plotly_chart(curves.compare_figure(series, "test_loss", labels()), config=CHART, key="train_cmp_loss")
    if len(chosen) == 1:
        result(chosen[0])
    busy = [r for r in chosen if r.busy]
    if st.button(t("train_delete", n=len(chosen)), key="train_delete", icon=":material/delete:",
                 disabled=bool(busy) or roles.locked(),
                 help=t("train_delete_busy") if busy else None):
        confirm_delete(chosen)

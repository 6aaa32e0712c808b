"""The Train page's live view: one card per watched job with its state, progress, result and curves.

Every run is read back from its directory each second, in one snapshot of the queue (jobs/queue.py)
handed to every card, so any session, a reload or a restarted server shows the same jobs. Names and
other text from run folders go through `md`: they are typed by students and never rendered as markup.
"""

from __future__ import annotations

import time

import streamlit as st

from jobs import folder as rundir
from jobs import queue as jobs
from jobs.folder import RunState
from model import presets
from train import run as runs_api
from ui import models, roles, widgets
from ui.i18n import t
from ui.job_events import duration, events_of
from ui.safe_text import md
from ui.train import curves

CHART = {"displayModeBar": False}
WAITING_CARDS = 5  # waiting jobs shown as cards, next first; the others are counted (and listed in the table)
NAMED_COLORS = {"mlp": "blue", "cnn": "orange"}  # markdown's colour names for models.COLORS


def state_text(run: jobs.Job) -> str:
    return t(f"train_state_{RunState(run.state).value}")


def kind_of(run: jobs.Job) -> str:
    model = run.config.get("model")
    return model.get("kind", "mlp") if isinstance(model, dict) else "mlp"


def labels() -> dict:
    return {k: t(f"train_curve_{k}") for k in curves.LABELS}


def reported_acc(run: jobs.Job) -> float | None:
    p = presets.PRESETS.get(run.preset)
    return p.reported_acc if p else None


def run_curves(run: jobs.Job, events: list[dict], key: str) -> None:
    color, L = models.COLORS.get(kind_of(run), "#334155"), labels()
    a, b = st.columns(2)  # two to a row: three were 200 px each on a projector, too narrow to read (issue 15)
    a.plotly_chart(curves.accuracy_figure(events, color, reported_acc(run), L), config=CHART, key=f"{key}_acc")
    b.plotly_chart(curves.loss_figure(events, color, L), config=CHART, key=f"{key}_loss")
    st.plotly_chart(curves.lr_figure(events, color, L, height=200), config=CHART, key=f"{key}_lr")


def time_left(events: list[dict], now: float | None = None) -> str:
    """The latest estimate, counted down since it was made (a scoring pass sends no events); "estimating…"
    until the run has measured what a step and a scored image cost, "finishing…" once the estimate is spent."""
    last = next((e for e in reversed(events) if e["kind"] in ("step", "epoch")), {})
    eta, made = last.get("eta_s"), last.get("time")
    if not isinstance(eta, int | float) or not isinstance(made, int | float):
        return t("train_estimating")
    left = eta - max((time.time() if now is None else now) - made, 0.0)
    return t("train_left", eta=duration(left)) if left >= 1 else t("train_finishing")


def progress(events: list[dict]) -> None:
    start = next((e for e in events if e["kind"] == "start"), None)
    step = next((e for e in reversed(events) if e["kind"] == "step"), None)
    if start is None or step is None:
        st.progress(0.0, text=t("train_warming"))
        return
    st.progress(min(step["progress"], 1.0), text=t(
        "train_progress", epoch=step["epoch"], epochs=start["epochs"], step=step["step"], speed=step["samples_per_s"],
        left=time_left(events), acc=step["acc"]))


def run_header(run: jobs.Job, events: list[dict]) -> None:
    """The run's name in its family's colour, then its state, preset and device: all as plain text."""
    start = next((e for e in events if e["kind"] == "start"), {})
    device = start.get("device_name") or run.metrics.get("device_name") or run.slot
    color = NAMED_COLORS.get(kind_of(run), "gray")
    st.markdown(f"#### :{color}[{md(run.name)}]")
    st.markdown(f"**{state_text(run)}** · {md(run.preset)} · {md(device)}")


def result(run: jobs.Job) -> None:
    """How a finished run ended: its test accuracy beside the article's, or why it did not finish."""
    if run.state == RunState.FAILED:
        st.error(t("train_failed", err=md(run.error or "?")), icon=":material/error:")
    elif run.state == RunState.INTERRUPTED:
        st.warning(t("train_interrupted"), icon=":material/warning:")
    elif run.state == RunState.UNKNOWN:
        st.warning(t("train_damaged", note=md(run.note or "status.json is missing")), icon=":material/warning:")
    elif run.time_limited:
        st.warning(t("train_time_limit", hours=f"{run.status.get('limit_s', 0) / 3600:g}"), icon=":material/timer:")
    elif run.note:
        st.info(t("train_cancelled"))
    elif run.state in rundir.WITH_MODEL:
        acc = run.metrics.get("test_acc")
        preset = presets.PRESETS.get(run.preset)
        text = t("train_final", acc=acc) if acc is not None else t("train_no_test")
        if preset and preset.reported:
            text += " · " + t("train_vs_reported", rep=preset.reported)
        st.success(text, icon=":material/check_circle:")
        if held := heldout_text(run):
            st.info(held, icon=":material/draw:")
        st.caption(t("train_in_pickers", name=md(run.name)))


def heldout_text(run: jobs.Job) -> str | None:
    """Before and after on the class's drawings the run held out of training (train/heldout.py), or None."""
    m = run.metrics
    n = m.get("drawings_held_out")
    if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
        return None
    pct = lambda v: f"{v:.0%}" if isinstance(v, int | float) and not isinstance(v, bool) else "—"  # noqa: E731
    return t("train_heldout", n=n, family=kind_of(run).upper(), before=pct(m.get("drawings_acc_before")),
             after=pct(m.get("drawings_acc_after")))


def run_card(run: jobs.Job, snap: jobs.Snapshot) -> None:
    key = f"train_card_{run.folder.name}"
    with st.container(border=True, key=key):
        events = events_of(run.folder)
        head, button = st.columns([5, 1])
        with head:
            run_header(run, events)
        if run.state == RunState.QUEUED:
            with head:
                widgets.waiting(run.slot, run.position, snap.holders.get(run.slot))
            if button.button(t("train_cancel"), key=f"{key}_cancel", disabled=roles.locked()) and roles.allowed():
                jobs.cancel(run.folder)
            return
        if run.active:
            if button.button(t("train_stop"), key=f"{key}_stop", icon=":material/stop:", disabled=roles.locked()) \
                    and roles.allowed():
                jobs.stop(run.folder)
                st.toast(t("train_stopping"))
            progress(events)
        else:
            result(run)
            if button.button(t("train_dismiss"), key=f"{key}_dismiss"):
                st.session_state["train_watch"].remove(str(run.folder))
                st.rerun(scope="fragment")
        run_curves(run, events, key)


@st.fragment(run_every=1.0)
def live() -> None:
    """Redrawn every second: start queued jobs when a device frees up, then show this session's jobs. On a
    whole-page run it shows the page's snapshot (`train_snapshot`); on its own, it takes one."""
    full_run = st.session_state.pop("train_full_run", False)
    snap = st.session_state.pop("train_snapshot", None) or jobs.refresh()
    runs = runs_api.runs(snap)
    watch = st.session_state.setdefault("train_watch", [])
    for r in runs:
        if r.active and str(r.folder) not in watch:
            watch.append(str(r.folder))
    shown = [r for r in runs if str(r.folder) in watch]
    states = {str(r.folder): r.state for r in runs}
    changed = states != st.session_state.get("train_states")
    st.session_state["train_states"] = states
    st.subheader(t("train_live"))
    if not shown:
        st.info(t("train_idle"))
    waiting = sorted((r for r in shown if r.waiting), key=lambda r: r.position or 0)
    for run in [r for r in shown if not r.waiting] + waiting[:WAITING_CARDS]:
        run_card(run, snap)
    if len(waiting) > WAITING_CARDS:  # a card each would cost the page seconds with a long queue (issue 17, 6)
        st.caption(t("train_more_waiting", n=len(waiting) - WAITING_CARDS))
    if changed and not full_run:
        st.rerun()  # a job started, ended or was deleted elsewhere: redraw the history table too

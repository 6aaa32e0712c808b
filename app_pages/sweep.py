"""Sweep page: seed 004's k × m study as a background job, its plot filling in live, past sweeps.

A sweep is a process of its own (sweep/job.py) that writes events to a folder; this page only
reads them back, so a reload, another tab or a restarted server shows the same sweep, still live.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st
import torch

from jobs import queue as jobs
from sweep import cluster as sweep_ray
from sweep import job as sweep_jobs
from sweep.core import ACTIVATIONS, ARTICLE, STUDY, SweepConfig, best_row, parse_ms, pieces
from ui import sweep_figures, widgets
from ui.i18n import t

DEVICES = ("auto", "cpu") + (("cuda",) if torch.cuda.is_available() else ())
CHART = {"displayModeBar": False}
FORM = {"sweep_ks": list(ARTICLE.ks), "sweep_m_mode": "range", "sweep_m_from": ARTICLE.ms[0],
        "sweep_m_to": ARTICLE.ms[-1], "sweep_m_step": 1, "sweep_m_text": "10, 30, 100, 247, 300",
        "sweep_epochs": ARTICLE.epochs, "sweep_lr": ARTICLE.lr, "sweep_batch": ARTICLE.batch_size,
        "sweep_l2": ARTICLE.l2, "sweep_activation": ARTICLE.activation, "sweep_protocol": ARTICLE.protocol,
        "sweep_backend": ARTICLE.backend, "sweep_device": "auto", "sweep_where": "local", "sweep_ray_address": "auto",
        "sweep_subset": 0}


def reset_form() -> None:
    st.session_state.update(FORM)


def read_form() -> tuple[SweepConfig | None, list[str]]:
    s = st.session_state
    if s["sweep_m_mode"] == "range":
        ms = tuple(range(int(s["sweep_m_from"]), int(s["sweep_m_to"]) + 1, int(s["sweep_m_step"])))
    else:
        try:
            ms = parse_ms(s["sweep_m_text"].replace(" ", ""))
        except ValueError:
            return None, [t("sweep_bad_m")]
    cfg = SweepConfig(ks=tuple(sorted(s["sweep_ks"])), ms=ms, epochs=int(s["sweep_epochs"]), lr=float(s["sweep_lr"]),
                      batch_size=int(s["sweep_batch"]), l2=float(s["sweep_l2"]), activation=s["sweep_activation"],
                      protocol=s["sweep_protocol"], backend=s["sweep_backend"], device=s["sweep_device"],
                      subset=int(s["sweep_subset"]))
    return cfg, cfg.problems()


def launch(cfg: SweepConfig, ray: str | None) -> None:
    try:
        folder = sweep_jobs.start(cfg, ray=ray)
    except jobs.QueueFull as e:
        st.error(t("train_queue_full", n=e.waiting))
        return
    st.query_params["sweep"] = folder.name
    st.rerun()


def form() -> None:
    for key, value in FORM.items():
        st.session_state.setdefault(key, value)
    c1, c2, c3 = st.columns([1, 2, 1])
    c1.multiselect(t("sweep_ks"), [1, 2, 3], key="sweep_ks")
    with c2:
        mode = st.radio(t("sweep_m_mode"), ["range", "list"], key="sweep_m_mode", horizontal=True,
                        format_func=lambda v: t(f"sweep_m_{v}"))
        if mode == "range":
            a, b, c = st.columns(3)
            a.number_input(t("sweep_m_from"), 1, 4096, key="sweep_m_from")
            b.number_input(t("sweep_m_to"), 1, 4096, key="sweep_m_to")
            c.number_input(t("sweep_m_step"), 1, 1000, key="sweep_m_step")
        else:
            st.text_input(t("sweep_m_text"), key="sweep_m_text", max_chars=5000)
    c3.number_input(t("sweep_epochs"), 1, 100, key="sweep_epochs")
    a, b, c, d = st.columns(4)
    a.number_input(t("sweep_lr"), 1e-5, 100.0, key="sweep_lr", format="%g", help=t("sweep_lr_help"))
    b.number_input(t("sweep_batch"), 1, 60_000, key="sweep_batch")
    c.number_input(t("sweep_l2"), 0.0, 10.0, key="sweep_l2", format="%g", help=t("sweep_l2_help"))
    d.selectbox(t("sweep_activation"), list(ACTIVATIONS), key="sweep_activation")
    a, b = st.columns(2)
    a.radio(t("sweep_protocol"), ["seed004", "plain"], key="sweep_protocol",
            format_func=lambda v: t(f"sweep_protocol_{v}"))
    b.radio(t("sweep_backend"), ["torch", "numpy"], key="sweep_backend", format_func=lambda v: t(f"sweep_backend_{v}"))
    a, b, c = st.columns(3)
    a.selectbox(t("sweep_device"), DEVICES, key="sweep_device")
    b.number_input(t("sweep_subset"), 0, 60_000, step=1000, key="sweep_subset")
    ray = None
    if sweep_ray.available():
        where = c.radio(t("sweep_where"), ["local", "ray"], key="sweep_where", horizontal=True,
                        format_func=lambda v: t(f"sweep_where_{v}"))
        if where == "ray":
            ray = st.text_input(t("sweep_ray_address"), key="sweep_ray_address", max_chars=300).strip() or "auto"
    else:
        c.caption(t("sweep_no_ray"))
    cfg, problems = read_form()
    if problems:
        st.error(t("sweep_bad", why="; ".join(problems)))
    else:
        st.caption(t("sweep_cells", cells=len(cfg.ks) * len(cfg.ms), pieces=len(pieces(cfg))))
    a, b, c = st.columns([1, 1, 2])
    if a.button(t("sweep_start"), type="primary", disabled=bool(problems), key="sweep_start"):
        launch(cfg, ray)
    b.button(t("sweep_article"), on_click=reset_form, key="sweep_reset")
    if c.button(t("sweep_study"), help=t("sweep_study_help"), key="sweep_study"):
        launch(STUDY, ray)


def events_of(folder) -> list[dict]:
    """A sweep's events, read incrementally: only what was appended since the last look."""
    cache = st.session_state.setdefault("sweep_events", {})
    offset, old = cache.get(str(folder), (0, []))
    new, offset = sweep_jobs.events(folder, offset)
    cache[str(folder)] = (offset, old + new)
    return old + new


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "…"
    seconds = int(seconds)
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min" if seconds >= 3600 else \
        f"{seconds // 60} min {seconds % 60:02d} s"


def plots(info: sweep_jobs.SweepInfo, events: list[dict]) -> None:
    cfg = info.config
    scores = sweep_figures.cell_scores(events, cfg.protocol)
    title = t("sweep_plot_title" if cfg.protocol == "seed004" else "sweep_plot_title_test")
    left, right = st.columns([3, 2])
    left.plotly_chart(sweep_figures.lines_figure(scores, title, t("sweep_axis_acc")), config=CHART,
                      key=f"sweep_lines_{info.folder.name}")
    right.plotly_chart(sweep_figures.heatmap_figure(scores, list(cfg.ks), list(cfg.ms), t("sweep_heat_title")),
                       config=CHART, key=f"sweep_heat_{info.folder.name}")


def header(info: sweep_jobs.SweepInfo, events: list[dict]) -> None:
    st.markdown(f"**{t('sweep_state', name=info.name, state=t('train_state_' + info.state))}**")
    if info.waiting:
        q = jobs.queue(info.folder.parent.parent)
        widgets.waiting(info.slot, q.places.get(info.folder), q.holders.get(info.slot))
        if st.button(t("train_cancel"), key=f"sweep_cancel_{info.folder.name}"):
            sweep_jobs.stop(info.folder)
    elif info.active:
        p = sweep_figures.progress(events, info.config.epochs)
        if p["k"] is None:
            st.caption(t("sweep_waiting"))
        else:
            st.progress(min(1.0, p["done"] / max(p["cells"], 1)))
            st.caption(t("sweep_progress", k=p["k"], epoch=p["epoch"], epochs=info.config.epochs, done=p["done"],
                         cells=p["cells"], rate=p["cells_per_s"], left=duration(p["left_s"])))
        if st.button(t("sweep_stop"), key=f"sweep_stop_{info.folder.name}"):
            sweep_jobs.stop(info.folder)
    elif info.state == "failed":
        st.error(t("sweep_failed", error=info.status.get("error", "?")))
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
    if d.button(t("sweep_train_fully"), key="sweep_train_fully"):
        sweep_jobs.train_fully(*cell)
        st.success(t("sweep_train_started", k=cell[0], m=cell[1]))


def past(sweeps: list[sweep_jobs.SweepInfo]) -> None:
    st.subheader(t("sweep_past"))
    def best_text(s):  # noqa: E306
        b = s.status.get("best")
        return f"k = {b['k']}, m = {b['m']}: {b['test_acc']:.2%}" if b else "—"
    st.dataframe(pd.DataFrame([{
        t("sweep_col_name"): s.name, t("sweep_col_state"): t("train_state_" + s.state),
        t("sweep_col_grid"): f"k {','.join(map(str, s.config.ks))} × m {s.config.ms[0]}…{s.config.ms[-1]} "
                             f"({len(s.config.ms)}), {s.config.epochs} ep, {s.config.backend}",
        t("sweep_col_best"): best_text(s)} for s in sweeps]), hide_index=True)
    names = {s.folder.name: s for s in sweeps}
    chosen = st.multiselect(t("sweep_compare"), list(names), key="sweep_chosen")
    a, b, _ = st.columns([1, 1, 4])
    if a.button(t("sweep_open"), disabled=len(chosen) != 1, key="sweep_open"):
        st.query_params["sweep"] = chosen[0]
        st.rerun()
    if b.button(t("sweep_delete"), disabled=not chosen, key="sweep_delete"):
        for name in chosen:
            try:
                sweep_jobs.delete(names[name].folder)
            except ValueError:
                st.error(t("sweep_delete_running", name=name))
                return
        st.session_state.pop("sweep_chosen", None)
        st.query_params.pop("sweep", None)
        st.rerun()
    if chosen:
        picked = [(n, sweep_jobs.rows(names[n].folder), names[n].config.protocol) for n in chosen]
        st.plotly_chart(sweep_figures.compare_figure(picked, t("sweep_compare_title"), t("sweep_axis_acc")),
                        config=CHART, key="sweep_compare_fig")


widgets.style()
st.title(t("sweep_title"))
st.caption(t("sweep_intro"))
sweeps = sweep_jobs.list_sweeps()
with st.expander(t("sweep_new"), expanded=not any(s.active for s in sweeps)):
    form()
st.subheader(t("sweep_current"))
wanted = st.query_params.get("sweep")
shown = next((s for s in sweeps if s.folder.name == wanted), sweeps[0] if sweeps else None)
if shown is None:
    st.info(t("sweep_none"))
elif shown.active:
    live(shown.folder)
else:
    events = events_of(shown.folder)
    header(shown, events)
    plots(shown, events)
    results(shown)
if sweeps:
    past(sweeps)

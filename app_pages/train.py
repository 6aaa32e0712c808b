"""Train page: pick a preset or build a variant, start a job, watch its curves live, compare past runs.

Jobs are separate processes (train/jobs.py) and every state is read back from the run directories, so
leaving the page, reloading the browser or restarting the server shows the same jobs with full curves.
"""

from __future__ import annotations

import time
from dataclasses import replace

import streamlit as st
import torch

from model import presets
from model.nets import CNNConfig, ConvBlock, MLPConfig
from train import jobs, rundir
from ui import class_drawings, curves, models, widgets
from ui.i18n import lang, t
from ui.train_text import PRESET_ZH

ARCHS = ("preset", "mlp", "cnn")
SPLITS = {0: "train_split_60", 10_000: "train_split_50"}  # val_size → label key
DEVICES = ("auto", "cpu") + (("cuda",) if torch.cuda.is_available() else ())
STATE_KEYS = {s: f"train_state_{s}" for s in ("queued", "starting", "running", "done", "stopped", "failed",
                                              "interrupted", "unknown")}
CHART = {"displayModeBar": False}


# --- the form -----------------------------------------------------------------------------------------

def load_preset() -> None:
    """Fill the training widgets from the chosen preset (on_change of the preset picker)."""
    c = presets.PRESETS[st.session_state["train_preset"]].train
    st.session_state.update({
        "train_optimizer": c.optimizer, "train_lr": c.lr, "train_batch": c.batch_size, "train_epochs": c.epochs,
        "train_l2": c.weight_decay, "train_loss": c.loss, "train_schedule": c.schedule, "train_augment": c.augment,
        "train_early": c.early_stopping, "train_split": 10_000 if c.val_size else 0, "train_seed": c.seed,
        "train_device": "auto", "train_subset": 0})


def architecture(base: presets.Preset):
    """The model: the preset's own, an MLP of k×m units, or a CNN of n conv blocks."""
    arch = st.segmented_control(t("train_arch"), ARCHS, format_func=lambda a: t(f"train_arch_{a}"),
                                default="preset", key="train_arch") or "preset"
    if arch == "preset":
        return base.train.model
    acts = ["relu", "sigmoid", "tanh", "selu"]
    if arch == "mlp":
        a, b = st.columns(2)
        k = a.number_input(t("train_layers"), 1, 3, 2, key="train_mlp_k")
        m = b.number_input(t("train_units"), 1, 4096, 256, step=32, key="train_mlp_m")
        a, b = st.columns(2)
        act = a.selectbox(t("train_activation"), acts, key="train_mlp_act")
        drop = b.slider(t("train_dropout"), 0.0, 0.5, 0.0, 0.05, key="train_mlp_dropout")
        return MLPConfig(hidden=(int(m),) * int(k), activation=act, dropout=drop)
    a, b = st.columns(2)
    n = a.number_input(t("train_blocks"), 1, 3, 2, key="train_cnn_blocks")
    f = b.number_input(t("train_filters"), 1, 256, 32, step=8, key="train_cnn_filters", help=t("train_filters_help"))
    a, b = st.columns(2)
    kernel = a.selectbox(t("train_kernel"), [3, 5, 7], key="train_cnn_kernel")
    dense = b.number_input(t("train_dense"), 0, 4096, 128, step=32, key="train_cnn_dense", help=t("train_dense_help"))
    a, b = st.columns(2)
    drop = a.slider(t("train_dropout"), 0.0, 0.5, 0.25, 0.05, key="train_cnn_dropout")
    with b:
        st.space("small")
        bn = st.checkbox(t("train_bn"), True, key="train_cnn_bn")
    blocks = tuple(ConvBlock(int(f) * 2 ** i, kernel=kernel, batch_norm=bn, dropout=drop) for i in range(int(n)))
    return CNNConfig(blocks=blocks, dense=(int(dense),) if dense else (), activation="relu")


def field_error(ok: bool, key: str, **values) -> bool:
    """Explain a bad value right under its field; True when the field is fine."""
    if not ok:
        st.error(t(key, **values), icon=":material/block:")
    return ok


def settings(base: presets.Preset, model) -> tuple[presets.TrainConfig | None, bool]:
    """The training settings, two to a row, each checked next to its field; (config, every field fine)."""
    ok = True
    a, b = st.columns(2)
    opt = a.selectbox(t("train_optimizer"), presets.OPTIMIZERS, key="train_optimizer")
    with b:
        lr = st.number_input(t("train_lr"), value=None, format="%g", step=1e-4, key="train_lr",
                             help=t("train_lr_help"))
        ok &= field_error(lr is not None and 0 < lr <= 100, "train_bad_lr")
    a, b = st.columns(2)
    with a:
        batch = st.number_input(t("train_batch"), value=None, step=1, key="train_batch", help=t("train_batch_help"))
        ok &= field_error(batch is not None and 1 <= batch <= 60_000, "train_bad_batch")
    with b:
        epochs = st.number_input(t("train_epochs"), value=None, step=1, key="train_epochs")
        ok &= field_error(epochs is not None and 1 <= epochs <= 1000, "train_bad_epochs")
    a, b = st.columns(2)
    with a:
        l2 = st.number_input(t("train_l2"), value=None, format="%g", step=1e-4, key="train_l2", help=t("train_l2_help"))
        ok &= field_error(l2 is not None and 0 <= l2 <= 1, "train_bad_l2")
    loss = b.selectbox(t("train_loss"), presets.LOSSES, format_func=lambda v: t(f"train_loss_{v}"), key="train_loss")
    a, b = st.columns(2)
    schedule = a.selectbox(t("train_schedule"), presets.SCHEDULES, format_func=lambda v: t(f"train_sched_{v}"),
                           key="train_schedule")
    split = b.selectbox(t("train_split"), list(SPLITS), format_func=lambda v: t(SPLITS[v]), key="train_split",
                         help=t("train_split_help"))
    a, b = st.columns(2)
    with a:
        early = st.selectbox(t("train_early"), presets.EARLY_STOPPING, format_func=lambda v: t(f"train_early_{v}"),
                             key="train_early")
        ok &= field_error(early != "val" or split > 0, "train_bad_early")
    device = b.selectbox(t("train_device"), DEVICES, format_func=lambda v: t(f"train_device_{v}"), key="train_device")
    a, b = st.columns(2)
    seed = a.number_input(t("train_seed"), 0, 2**31 - 1, step=1, key="train_seed")
    with b:
        st.space("small")
        augment = st.checkbox(t("train_augment"), key="train_augment", help=t("train_augment_help"))
    with st.expander(t("train_advanced")):
        subset = st.number_input(t("train_subset"), 0, 60_000, step=1000, key="train_subset",
                                 help=t("train_subset_help"))
        ok &= field_error(subset == 0 or subset >= 100, "train_bad_subset")
        drawings = class_drawings.train_weight()
    if not ok:
        return None, False
    # the preset's protocol scores the test set only when validation improves; without a validation set
    # there is nothing to improve, so every epoch is tested
    protocol = base.train.test_protocol if split else "every_epoch"
    cfg = replace(base.train, model=model, optimizer=opt, lr=float(lr), batch_size=int(batch), epochs=int(epochs),
                  weight_decay=float(l2), loss=loss, schedule=schedule, early_stopping=early, augment=augment,
                  val_size=split, test_protocol=protocol, seed=int(seed), device=device, subset=int(subset),
                  class_drawings=drawings)
    return cfg, True


def new_run() -> None:
    st.subheader(t("train_new"))
    if "train_optimizer" not in st.session_state:
        st.session_state.setdefault("train_preset", "seed001-mlp")
        load_preset()
    name = st.selectbox(t("train_preset"), list(presets.PRESETS), key="train_preset", on_change=load_preset,
                        format_func=lambda p: presets.PRESETS[p].title)
    base = presets.PRESETS[name]
    st.caption(PRESET_ZH.get(base.name, base.description) if lang() == "zh" else base.description)
    if base.reported:
        st.caption(t("train_reported", rep=base.reported))
    model = architecture(base)
    if model is not base.train.model:
        base = replace(base, train=replace(base.train, preset=f"custom-{model.kind}"))
    cfg, ok = settings(base, model)
    default_name = f"{base.train.preset} {time.strftime('%H:%M')}"
    label = st.text_input(t("train_name"), key="train_name", placeholder=default_name, help=t("train_name_help"))
    if cfg is not None:
        try:
            for w in presets.validate_train(cfg):
                st.warning(w, icon=":material/warning:")
        except ValueError as e:
            st.error(t("train_invalid", err=e), icon=":material/block:")
            ok = False
    if st.button(t("train_start"), type="primary", disabled=not ok, key="train_submit", icon=":material/play_arrow:"):
        folder = jobs.submit(cfg, name=label.strip() or default_name)
        st.session_state.setdefault("train_watch", []).append(str(folder))
        st.toast(t("train_submitted"))


# --- live view ------------------------------------------------------------------------------------------

def events_of(folder) -> list[dict]:
    """All events of a run; only the lines added since the last refresh are read from disk."""
    cache = st.session_state.setdefault("train_events", {})
    entry = cache.setdefault(str(folder), {"offset": 0, "events": []})
    new, entry["offset"] = rundir.read_events(folder, entry["offset"])
    entry["events"].extend(new)
    return entry["events"]


def kind_of(run: jobs.RunInfo) -> str:
    return (run.config.get("model") or {}).get("kind", "mlp")


def labels() -> dict:
    return {k: t(f"train_curve_{k}") for k in curves.LABELS}


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    m, s = divmod(int(round(seconds)), 60)
    return t("train_min_s", m=m, s=s) if m else t("train_s", s=s)


def reported_acc(run: jobs.RunInfo) -> float | None:
    p = presets.PRESETS.get(run.preset)
    return p.reported_acc if p else None


def run_curves(run: jobs.RunInfo, events: list[dict], key: str) -> None:
    color, L = models.COLORS.get(kind_of(run), "#334155"), labels()
    a, b, c = st.columns([1.2, 1.2, 0.9])
    a.plotly_chart(curves.accuracy_figure(events, color, reported_acc(run), L), config=CHART, key=f"{key}_acc")
    b.plotly_chart(curves.loss_figure(events, color, L), config=CHART, key=f"{key}_loss")
    c.plotly_chart(curves.lr_figure(events, color, L), config=CHART, key=f"{key}_lr")


def progress(events: list[dict]) -> None:
    start = next((e for e in events if e["kind"] == "start"), None)
    step = next((e for e in reversed(events) if e["kind"] == "step"), None)
    if start is None or step is None:
        st.progress(0.0, text=t("train_warming"))
        return
    st.progress(min(step["progress"], 1.0), text=t(
        "train_progress", epoch=step["epoch"], epochs=start["epochs"], step=step["step"], speed=step["samples_per_s"],
        eta=duration(step["eta_s"]), acc=step["acc"]))


def run_header(run: jobs.RunInfo, events: list[dict]) -> None:
    start = next((e for e in events if e["kind"] == "start"), {})
    device = start.get("device_name") or run.metrics.get("device_name") or run.slot
    color = models.COLORS.get(kind_of(run), "#334155")
    st.markdown(f"<span style='color:{color};font-size:1.25rem;font-weight:700'>{run.name}</span> &nbsp; "
                f"**{t(STATE_KEYS.get(run.state, 'train_state_unknown'))}** · {run.preset} · {device}",
                unsafe_allow_html=True)


def result(run: jobs.RunInfo) -> None:
    """How a finished run ended: its test accuracy beside the article's, or why it did not finish."""
    if run.state == "failed":
        st.error(t("train_failed", err=run.error or "?"), icon=":material/error:")
    elif run.state == "interrupted":
        st.warning(t("train_interrupted"), icon=":material/warning:")
    elif run.note:
        st.info(t("train_cancelled"))
    elif run.state in ("done", "stopped"):
        acc = run.metrics.get("test_acc")
        preset = presets.PRESETS.get(run.preset)
        text = t("train_final", acc=acc) if acc is not None else t("train_no_test")
        if preset and preset.reported:
            text += " · " + t("train_vs_reported", rep=preset.reported)
        st.success(text, icon=":material/check_circle:")
        st.caption(t("train_in_pickers", name=run.name))


def run_card(run: jobs.RunInfo) -> None:
    key = f"train_card_{run.folder.name}"
    with st.container(border=True, key=key):
        events = events_of(run.folder)
        head, button = st.columns([5, 1])
        with head:
            run_header(run, events)
        if run.state == "queued":
            head.info(t("train_waiting", pos=run.position, slot=run.slot), icon=":material/hourglass_top:")
            if button.button(t("train_cancel"), key=f"{key}_cancel"):
                jobs.cancel(run.folder)
            return
        if run.active:
            if button.button(t("train_stop"), key=f"{key}_stop", icon=":material/stop:"):
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
    """Redrawn every second: start queued jobs when a device frees up, then show this session's jobs."""
    t0, full_run = time.perf_counter(), st.session_state.pop("train_full_run", False)
    jobs.tick()
    runs = jobs.list_runs()
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
    for run in shown:
        run_card(run)
    st.session_state["train_poll_ms"] = 1000 * (time.perf_counter() - t0)
    if changed and not full_run:
        st.rerun()  # a job started, ended or was deleted elsewhere: redraw the history table too


# --- history ---------------------------------------------------------------------------------------------

def percent(v: float | None) -> str:  # as text: the table would show a missing number as "None"
    return "—" if v is None else f"{v:.2%}"


def summary(run: jobs.RunInfo) -> str:
    c = run.config
    try:
        from model.nets import config_from_dict, describe
        shape = describe(config_from_dict(c["model"]))
    except (KeyError, TypeError, ValueError):
        shape = "?"
    return f"{shape} · {c.get('optimizer')} {c.get('lr'):g} · batch {c.get('batch_size')} · {c.get('epochs')} ep"


@st.dialog(" ")
def confirm_delete(runs: list[jobs.RunInfo]) -> None:
    st.markdown(t("train_delete_confirm", n=len(runs)))
    for r in runs:
        st.markdown(f"- {r.name}")
    if st.button(t("train_delete_yes"), type="primary", key="train_delete_yes"):
        for r in runs:
            try:
                jobs.delete(r.folder)
            except ValueError as e:
                st.error(str(e))
                return
            st.session_state.get("train_events", {}).pop(str(r.folder), None)
        st.rerun()


def history() -> None:
    st.subheader(t("train_history"))
    runs = jobs.list_runs()
    if not runs:
        st.caption(t("train_no_runs"))
        return
    rows = [{t("train_col_name"): r.name, t("train_col_test"): percent(r.metrics.get("test_acc")),
             t("train_col_state"): t(STATE_KEYS.get(r.state, "train_state_unknown")),
             t("train_col_time"): duration(r.metrics.get("seconds")),
             t("train_col_device"): r.metrics.get("device_name") or r.slot.upper(),
             t("train_col_preset"): r.preset, t("train_col_settings"): summary(r),
             t("train_col_date"): time.strftime("%Y-%m-%d %H:%M", time.localtime(r.created))} for r in runs]
    pick = st.dataframe(rows, hide_index=True, on_select="rerun", selection_mode="multi-row",
                        key=f"train_history_{len(runs)}")  # a new key when runs come or go: no stale selection
    chosen = [runs[i] for i in pick.selection.rows]
    if not chosen:
        st.caption(t("train_pick_hint"))
        return
    series = [(r.name, kind_of(r), events_of(r.folder)) for r in chosen]
    a, b = st.columns(2)
    a.plotly_chart(curves.compare_figure(series, "test_acc", labels()), config=CHART, key="train_cmp_acc")
    b.plotly_chart(curves.compare_figure(series, "test_loss", labels()), config=CHART, key="train_cmp_loss")
    if len(chosen) == 1:
        result(chosen[0])
    busy = [r for r in chosen if r.state in ("starting", "running")]
    if st.button(t("train_delete", n=len(chosen)), key="train_delete", icon=":material/delete:", disabled=bool(busy),
                 help=t("train_delete_busy") if busy else None):
        confirm_delete(chosen)


widgets.style()
st.title(t("train_title"))
st.caption(t("train_intro"))
st.session_state["train_full_run"] = True  # live() redraws the whole page only when it runs on its own
form, view = st.columns([1.05, 2], gap="large")
with form:
    new_run()
with view:
    live()
    history()

"""The Train page's form: what a teacher decides first (the recipe, how long, the class's drawings), the rest
under Advanced, then what the run will cost on this machine (time, memory, whether it can learn), and Start.

Each setting is checked next to its field (and by presets.validate_train as a whole); the estimate comes
from train/estimate.py; Start submits a job (jobs/queue.py), for the teacher only (ui/roles.py).
`settings` lays the advanced fields out two to a row: a new setting is one more row there.
"""

from __future__ import annotations

import time
from dataclasses import replace

import streamlit as st
import torch

from classroom import drawings as collection
from jobs import queue as jobs
from model import presets
from model.nets import CNNConfig, ConvBlock, MLPConfig
from train import estimate, memory, run
from ui import roles
from ui.i18n import lang, t
from ui.safe_text import md
from ui.text.train import PRESET_ZH, REPORTED_ZH, TITLE_ZH

ARCHS = ("preset", "mlp", "cnn")
SPLITS = {0: "train_split_60", 10_000: "train_split_50"}  # val_size → label key
DEVICES = ("auto", "cpu") + (("cuda",) if torch.cuda.is_available() else ())
NAME_MAX = 80  # characters of a run's name: enough for a pupil's label, not a page of markup
DEFAULT = "quick"  # the page opens on the recipe that learns while the class watches


def title(p: presets.Preset) -> str:
    return TITLE_ZH.get(p.name, p.title) if lang() == "zh" else p.title


def reported(p: presets.Preset) -> str:
    return REPORTED_ZH.get(p.name, p.reported) if lang() == "zh" else p.reported


def subtitle(p: presets.Preset) -> str:
    """Where the recipe comes from, then what it is: "From tutorial 004 · Seed 004's lab: …"."""
    if p.source.isdigit():
        source = t("train_source_tutorial", n=p.source)
    else:
        source = t("train_source_lecun") if p.source == "LeCun 1998" else t("train_source_ours")
    return f"{source} · {PRESET_ZH.get(p.name, p.description) if lang() == 'zh' else p.description}"


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


def how_long() -> tuple[dict, bool]:
    """Epochs and training images: how long the run is, side by side; ({field: value}, both fine)."""
    a, b = st.columns(2)
    with a:
        epochs = st.number_input(t("train_epochs"), value=None, step=1, key="train_epochs", help=t("train_epochs_help"))
        ok = field_error(epochs is not None and 1 <= epochs <= 1000, "train_bad_epochs")
    with b:
        subset = st.number_input(t("train_subset"), 0, 60_000, step=1000, key="train_subset",
                                 help=t("train_subset_help"))
        ok &= field_error(subset == 0 or subset >= 100, "train_bad_subset")
    return {"epochs": int(epochs or 1), "subset": int(subset)}, ok


def class_drawings() -> tuple[int, int]:
    """ "Include the class's drawings" and its weight beside it; (repeats per drawing, drawings saved)."""
    n = collection.count() or 0
    # the checkbox gets the whole row: in a column Streamlit cuts its label short at the projector's width
    use = st.checkbox(t("train_use_drawings"), key="train_use_drawings", disabled=not n,
                      help=t("train_drawings_help", n=n))
    weight = st.columns(2)[0].number_input(t("train_drawings_weight"), 0, 100, 5, step=1, key="train_drawings",
                            help=t("train_drawings_help", n=n), disabled=not n)
    return (int(weight) if use and n else 0), n


def settings(base: presets.Preset, model) -> tuple[dict, bool]:
    """The advanced training settings, two to a row, each checked next to its field; ({field: value}, fine)."""
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
        l2 = st.number_input(t("train_l2"), value=None, format="%g", step=1e-4, key="train_l2", help=t("train_l2_help"))
        ok &= field_error(l2 is not None and 0 <= l2 <= 1, "train_bad_l2")
    a, b = st.columns(2)
    loss = a.selectbox(t("train_loss"), presets.LOSSES, format_func=lambda v: t(f"train_loss_{v}"), key="train_loss")
    schedule = b.selectbox(t("train_schedule"), presets.SCHEDULES, format_func=lambda v: t(f"train_sched_{v}"),
                           key="train_schedule")
    a, b = st.columns(2)
    split = a.selectbox(t("train_split"), list(SPLITS), format_func=lambda v: t(SPLITS[v]), key="train_split",
                        help=t("train_split_help"))
    with b:
        early = st.selectbox(t("train_early"), presets.EARLY_STOPPING, format_func=lambda v: t(f"train_early_{v}"),
                             key="train_early")
        ok &= field_error(early != "val" or split > 0, "train_bad_early")
    a, b = st.columns(2)
    device = a.selectbox(t("train_device"), DEVICES, format_func=lambda v: t(f"train_device_{v}"), key="train_device")
    seed = b.number_input(t("train_seed"), 0, 2**31 - 1, step=1, key="train_seed")
    augment = st.checkbox(t("train_augment"), key="train_augment", help=t("train_augment_help"))
    # the preset's protocol scores the test set only when validation improves; without a validation set
    # there is nothing to improve, so every epoch is tested
    protocol = base.train.test_protocol if split else "every_epoch"
    return {"model": model, "optimizer": opt, "lr": float(lr or 0), "batch_size": int(batch or 1),
            "weight_decay": float(l2 or 0), "loss": loss, "schedule": schedule, "early_stopping": early,
            "augment": augment, "val_size": split, "test_protocol": protocol, "seed": int(seed),
            "device": device}, ok


def about(s: float) -> str:
    """'about 25 s', 'about 4 min', 'about 2 h 10 min'."""
    if s < 90:
        return t("est_about_s", s=max(1, round(s)))
    if s < 5400:
        return t("est_about_min", m=round(s / 60))
    return t("est_about_h", h=int(s // 3600), m=round(s % 3600 / 60))


def costs(cfg: presets.TrainConfig, drawings: int) -> bool:
    """What the run will cost here: refused when it cannot fit in memory (False), else its time and advice.

    Only the teacher's form measures a model's speed (a child process, once per model and machine): forty
    students changing a form must not start forty measurements."""
    mem = memory.memory(cfg, drawings)
    where = t("est_here") if mem.device in ("cpu", "mps") else t("est_gpu", device=mem.device)
    if not mem.fits:
        st.error(t("est_memory", need=memory.size_text(mem.need), free=memory.size_text(mem.free), where=where,
                   batch=mem.batch), icon=":material/memory:")
        return False
    p = estimate.plan(cfg, drawings)
    teacher = roles.is_teacher()
    snap = st.session_state.get("train_snapshot") or jobs.snapshot()  # the page's one reading of the queue
    busy = run.device_slot(cfg.device) in snap.holders  # another job would slow the measurement
    failed = st.session_state.setdefault("train_speed_failed", set())  # keys that failed: not retried each rerun
    key, speed = estimate.speed_key(cfg), estimate.cached(cfg)
    if (speed is None or speed.busy and not busy) and teacher and key not in failed:
        try:
            with st.spinner(t("est_measuring")):
                speed = estimate.measure(cfg, busy)
        except RuntimeError as e:
            failed.add(key)
            st.warning(t("est_failed", err=md(e)), icon=":material/timer_off:")
    total = estimate.seconds(p, speed) if speed else None
    if total is not None:
        st.info(t("est_time", time=about(total), where=where, speed=speed.train_per_s,
                  memory=memory.size_text(mem.need)), icon=":material/timer:")
    elif speed is None and key not in failed:
        st.caption(t("est_unmeasured"))
    base = presets.PRESETS.get(cfg.preset)
    for w in estimate.advice(cfg, p, total):
        extra = {"rep": reported(base)} if w.kind == "short_of_article" else {}
        st.warning(t(f"est_{w.kind}", **w.details, **extra), icon=":material/warning:")
    return True


def new_run() -> None:
    st.subheader(t("train_new"))
    if "train_optimizer" not in st.session_state:
        st.session_state.setdefault("train_preset", DEFAULT)
        load_preset()
    name = st.selectbox(t("train_preset"), list(presets.PRESETS), key="train_preset", on_change=load_preset,
                        format_func=lambda p: title(presets.PRESETS[p]))
    base = presets.PRESETS[name]
    st.caption(subtitle(base))
    if base.reported:
        st.caption(t("train_reported", rep=reported(base)))
    length, ok = how_long()
    drawings, saved = class_drawings()
    cost_box = st.container()
    with st.expander(t("train_advanced")):
        model = architecture(base)
        if model is not base.train.model:
            base = replace(base, train=replace(base.train, preset=f"custom-{model.kind}"))
        fields, fine = settings(base, model)
    default_name = f"{base.train.preset} {time.strftime('%H:%M')}"
    label = st.text_input(t("train_name"), key="train_name", placeholder=default_name, help=t("train_name_help"),
                          max_chars=NAME_MAX)
    ok &= fine
    cfg = replace(base.train, **fields, **length, class_drawings=drawings) if ok else None
    with cost_box:
        if cfg is not None:
            try:
                for w in presets.validate_train(cfg):
                    st.warning(t(f"cfg_{w.kind}", **w.details), icon=":material/warning:")
                ok = costs(cfg, drawings * saved)
            except ValueError as e:
                st.error(t("train_invalid", err=md(e)), icon=":material/block:")
                ok = False
    if roles.locked():
        st.info(t("train_teacher_only"), icon=":material/lock:")
    clicked = st.button(t("train_start"), type="primary", disabled=not ok or roles.locked(), key="train_submit",
                        icon=":material/play_arrow:")
    if clicked and ok and roles.allowed():  # checked here too: a forged click from a student changes nothing
        try:
            folder = run.submit(cfg, name=label.strip() or default_name)
        except jobs.QueueFull as e:
            st.error(t("train_queue_full", n=e.waiting), icon=":material/block:")
            return
        st.session_state.setdefault("train_watch", []).append(str(folder))
        st.toast(t("train_submitted"))

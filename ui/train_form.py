"""The Train page's form: a preset, its architecture or a variant, the training settings, and Start.

Each setting is checked next to its field (and by presets.validate_train as a whole); Start submits a job
(jobs/queue.py). `settings` lays the fields out two to a row: a new setting is one more row there.
"""

from __future__ import annotations

import time
from dataclasses import replace

import streamlit as st
import torch

from jobs import queue as jobs
from model import presets
from model.nets import CNNConfig, ConvBlock, MLPConfig
from ui import class_drawings, roles
from ui.i18n import lang, t
from ui.safe_text import md
from ui.train_text import PRESET_ZH

ARCHS = ("preset", "mlp", "cnn")
SPLITS = {0: "train_split_60", 10_000: "train_split_50"}  # val_size → label key
DEVICES = ("auto", "cpu") + (("cuda",) if torch.cuda.is_available() else ())
NAME_MAX = 80  # characters of a run's name: enough for a pupil's label, not a page of markup


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
    label = st.text_input(t("train_name"), key="train_name", placeholder=default_name, help=t("train_name_help"),
                          max_chars=NAME_MAX)
    if cfg is not None:
        try:
            for w in presets.validate_train(cfg):
                st.warning(t(f"cfg_{w.kind}", **w.details), icon=":material/warning:")
        except ValueError as e:
            st.error(t("train_invalid", err=md(e)), icon=":material/block:")
            ok = False
    if st.button(t("train_start"), type="primary", disabled=not ok or roles.locked(), key="train_submit",
                 icon=":material/play_arrow:", help=t("role_teacher_only") if roles.locked() else None) \
            and roles.allowed():
        folder = jobs.submit(cfg, name=label.strip() or default_name)
        st.session_state.setdefault("train_watch", []).append(str(folder))
        st.toast(t("train_submitted"))

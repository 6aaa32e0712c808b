"""The Sweep page's form: depths, widths and settings, the sweep's size and projected time, and Start.

Widths go through sweep.config, which checks every size before it builds anything. Starting a sweep or
the whole study is the teacher's (ui.roles): a student sees the controls disabled, and a forged click
from a student's session starts nothing, since the check is where the sweep is started. The whole
study waits behind a confirmation that says how long it would take on this machine.
"""

from __future__ import annotations

import streamlit as st
import torch

from jobs import queue as jobs
from model.batched_mlp import ACTIVATIONS
from sweep import cluster as sweep_ray
from sweep import estimate
from sweep import job as sweep_jobs
from sweep.config import ARTICLE, STUDY, SweepConfig, parse_ms, width_range
from sweep.core import pieces
from train.engine import TrainingError, device_name, resolve_device
from ui import roles
from ui.i18n import t
from ui.job_events import duration

DEVICES = ("auto", "cpu") + (("cuda",) if torch.cuda.is_available() else ())
FORM = {"sweep_ks": list(ARTICLE.ks), "sweep_m_mode": "range", "sweep_m_from": ARTICLE.ms[0],
        "sweep_m_to": ARTICLE.ms[-1], "sweep_m_step": 1, "sweep_m_text": "10, 30, 100, 247, 300",
        "sweep_epochs": ARTICLE.epochs, "sweep_lr": ARTICLE.lr, "sweep_batch": ARTICLE.batch_size,
        "sweep_l2": ARTICLE.l2, "sweep_activation": ARTICLE.activation, "sweep_protocol": ARTICLE.protocol,
        "sweep_backend": ARTICLE.backend, "sweep_device": "auto", "sweep_where": "local", "sweep_ray_address": "auto",
        "sweep_subset": 0}
CONFIRM = "sweep_confirm_study"  # session key: the whole study's confirmation is open


def reset_form() -> None:
    st.session_state.update(FORM)


def read_form() -> tuple[SweepConfig | None, list[str]]:
    s = st.session_state
    try:
        if s["sweep_m_mode"] == "range":
            ms = width_range(int(s["sweep_m_from"]), int(s["sweep_m_to"]), int(s["sweep_m_step"]))
        else:
            ms = parse_ms(s["sweep_m_text"].replace(" ", ""))
    except ValueError:
        return None, [t("sweep_bad_m")]
    cfg = SweepConfig(ks=tuple(sorted(s["sweep_ks"])), ms=ms, epochs=int(s["sweep_epochs"]), lr=float(s["sweep_lr"]),
                      batch_size=int(s["sweep_batch"]), l2=float(s["sweep_l2"]), activation=s["sweep_activation"],
                      protocol=s["sweep_protocol"], backend=s["sweep_backend"], device=s["sweep_device"],
                      subset=int(s["sweep_subset"]))
    return cfg, cfg.problems()


def launch(cfg: SweepConfig, ray: str | None) -> None:
    """Start `cfg` if this session is the teacher's (checked here, whatever the button showed)."""
    st.session_state.pop(CONFIRM, None)
    if not roles.is_teacher():
        return
    try:
        folder = sweep_jobs.start(cfg, ray=ray)
    except jobs.QueueFull as e:
        st.error(t("train_queue_full", n=e.waiting))
        return
    st.query_params["sweep"] = folder.name
    st.rerun()


def eta_text(cfg: SweepConfig, ray: str | None) -> str:
    seconds = estimate.projected_seconds(cfg)
    if seconds is None:
        return t("sweep_eta_none")
    return t("sweep_eta_ray" if ray else "sweep_eta", eta=duration(seconds))


def fields() -> str | None:
    """The settings' widgets; returns the Ray address, or None to run here."""
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
    if not sweep_ray.available():
        c.caption(t("sweep_no_ray"))
        return None
    where = c.radio(t("sweep_where"), ["local", "ray"], key="sweep_where", horizontal=True,
                    format_func=lambda v: t(f"sweep_where_{v}"))
    if where == "ray":
        return st.text_input(t("sweep_ray_address"), key="sweep_ray_address", max_chars=300).strip() or "auto"
    return None


def study_confirmation(ray: str | None) -> None:
    """How long the whole study would take here, and the two answers."""
    seconds = estimate.projected_seconds(STUDY)
    try:
        device = device_name(resolve_device(STUDY.device))
    except TrainingError:  # the estimate then says there is none
        device = STUDY.device
    with st.container(border=True, key="sweep_study_box"):
        st.warning(t("sweep_study_confirm", cells=len(STUDY.ks) * len(STUDY.ms), epochs=STUDY.epochs,
                     device=device, eta=duration(seconds)), icon=":material/schedule:")
        a, b, _ = st.columns([2, 1, 2])
        if a.button(t("sweep_study_yes"), type="primary", key="sweep_study_yes", disabled=not roles.is_teacher()):
            launch(STUDY, ray)
        if b.button(t("sweep_study_no"), key="sweep_study_no"):
            st.session_state.pop(CONFIRM, None)
            st.rerun()


def new_sweep() -> None:
    """The form, its size and projected time, and the buttons."""
    for key, value in FORM.items():
        st.session_state.setdefault(key, value)
    teacher = roles.is_teacher()
    ray = fields()
    cfg, problems = read_form()
    if problems:
        st.error(t("sweep_bad", why="; ".join(problems)))
    else:
        st.caption(t("sweep_cells", cells=len(cfg.ks) * len(cfg.ms), pieces=len(pieces(cfg))) + " · " +
                   eta_text(cfg, ray))
    if not teacher:
        st.info(t("sweep_teacher_only"), icon=":material/lock:")
    a, b, c = st.columns([1, 1, 2])
    if a.button(t("sweep_start"), type="primary", disabled=bool(problems) or not teacher, key="sweep_start"):
        if not problems:
            launch(cfg, ray)
    b.button(t("sweep_article"), on_click=reset_form, key="sweep_reset")
    if c.button(t("sweep_study"), help=t("sweep_study_help"), key="sweep_study", disabled=not teacher) and teacher:
        st.session_state[CONFIRM] = True
    if st.session_state.get(CONFIRM) and teacher:
        study_confirmation(ray)

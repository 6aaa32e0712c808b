"""What every job's live view shares: its events read incrementally, and a duration in words.

A job (a training run or a sweep) appends events to its folder's metrics.jsonl; a view redrawn every
second reads only the lines added since its last look, kept per session. `duration` is the one
translated way a page says how long something took or will take.
"""

from __future__ import annotations

import math

import streamlit as st

from jobs import folder as rundir
from ui.i18n import t

CACHE = "job_events"  # session key: {folder: {"offset", "events"}}


def events_of(folder) -> list[dict]:
    """All events of the job in `folder`; only what was appended since the last call is read from disk."""
    cache = st.session_state.setdefault(CACHE, {})
    entry = cache.setdefault(str(folder), {"offset": 0, "events": []})
    new, entry["offset"] = rundir.read_events(folder, entry["offset"])
    entry["events"].extend(new)
    return entry["events"]


def forget(folder) -> None:
    """Drop a deleted job's events from this session."""
    st.session_state.get(CACHE, {}).pop(str(folder), None)


def duration(seconds) -> str:
    """"12 s", "4 min 09 s", "3 h 05 min", "28 days 22 h"; "—" for nothing known."""
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not math.isfinite(seconds) \
            or not 0 <= seconds < 1e10:
        return t("job_unknown_time")
    s = int(round(seconds))
    if s < 60:
        return t("job_s", s=s)
    if s < 3600:
        return t("job_min_s", m=s // 60, s=s % 60)
    if s < 48 * 3600:
        return t("job_h_min", h=s // 3600, m=s % 3600 // 60)
    return t("job_d_h", d=s // 86400, h=s % 86400 // 3600)

"""The teacher's clean-up of the class's drawings on the Explore page: delete the ticked ones, every one the
digit filter shows, those saved in a time range, or all of one nickname or one session (an imported file is
a session of its own), after a confirmation. The ids are fixed when Delete is clicked, so a drawing saved
while the teacher confirms is never deleted by surprise. Each callback checks `roles.is_teacher()`: a
forged click from a student's session deletes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import streamlit as st

from classroom import drawings as collection
from classroom.drawings import Collection, CollectionError
from ui import roles
from ui.i18n import t

SCOPES = ("picked", "shown", "time", "nickname", "session")


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts).strftime("%H:%M")


def _session_label(c: Collection, session: str) -> str:
    rows = c.sessions == session
    n, first, last = int(rows.sum()), float(c.created[rows].min()), float(c.created[rows].max())
    if session.startswith("import:"):
        return t("coll_session_import", sha=session.split(":", 1)[1][:8], n=n)
    if not session:
        return t("coll_session_none", n=n)
    names = ", ".join(sorted({str(x) for x in c.nicknames[rows] if x})) or "—"
    return t("coll_session_browser", start=_when(first), end=_when(last), n=n, names=names)


def _selection(c: Collection, digits, newest: np.ndarray, scope: str) -> np.ndarray:
    """The ids this scope selects, within the digit filter."""
    if scope == "picked":
        return c.ids[[i for i in newest if st.session_state.get(f"coll_pick_{c.ids[i]}")]]
    if scope == "shown":
        return c.ids[collection.matching(c, digits=digits)]
    if scope == "time":
        lo = datetime.fromtimestamp(float(c.created.min())).replace(second=0, microsecond=0)
        hi = datetime.fromtimestamp(float(c.created.max())).replace(second=0, microsecond=0) + timedelta(minutes=1)
        start, end = st.slider(t("coll_time"), min_value=lo, max_value=hi, value=(lo, hi),
                               step=timedelta(minutes=1), format="HH:mm", key="coll_time")
        return c.ids[collection.matching(c, digits=digits, since=start.timestamp(), until=end.timestamp())]
    values = c.nicknames if scope == "nickname" else c.sessions
    names, counts = np.unique(values[values != ""] if scope == "nickname" else values, return_counts=True)
    if not len(names):
        st.caption(t("coll_no_nicknames"))
        return c.ids[:0]
    fmt = ((lambda v: t("coll_nickname_option", name=v, n=int(counts[list(names).index(v)])))
           if scope == "nickname" else (lambda v: _session_label(c, v)))
    pick = st.selectbox(t(f"coll_scope_{scope}"), names.tolist(), format_func=fmt, key=f"coll_pick_{scope}")
    return c.ids[collection.matching(c, digits=digits, **{scope: pick})]


def _ask(ids: list[int]) -> None:
    if roles.is_teacher():
        st.session_state["coll_confirm"] = ids


def _delete_confirmed() -> None:
    ids = st.session_state.pop("coll_confirm", None)
    if not ids or not roles.is_teacher():  # the check where the action happens, not only a hidden button
        return
    try:
        gone = collection.delete(ids)
    except CollectionError as e:
        st.session_state["coll_error_explore"] = e  # translated where it is shown, in the page's language
        return
    for i in ids:
        st.session_state.pop(f"coll_pick_{i}", None)
    st.session_state["coll_done"] = ("coll_deleted", {"n": gone})


def section(c: Collection, digits, newest: np.ndarray) -> None:
    with st.container(key="coll-cleanup", border=True):
        scope = st.segmented_control(t("coll_scope"), SCOPES, format_func=lambda s: t(f"coll_scope_{s}"),
                                     default="picked", key="coll_scope") or "picked"
        ids = [int(i) for i in _selection(c, digits, newest, scope)]
        st.button(t("coll_delete", n=len(ids)), disabled=not ids, key="coll_delete", icon=":material/delete:",
                  on_click=_ask, args=(ids,))
        confirm = st.session_state.get("coll_confirm")
        if not confirm:
            return
        with st.container(key="coll-confirm", border=True):
            st.warning(t("coll_delete_confirm", n=len(confirm)))
            with st.container(horizontal=True):
                st.button(t("coll_delete_yes"), type="primary", key="coll_delete_yes", icon=":material/delete:",
                          on_click=_delete_confirmed)
                st.button(t("coll_delete_no"), key="coll_delete_no",
                          on_click=lambda: st.session_state.pop("coll_confirm", None))

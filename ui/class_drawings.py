"""The class's drawings in the app: the "Wrong? It was a …" grid under the Draw page's answers (open to
everyone, with an optional nickname), and the Explore page's view of the collection (counts and a grid for
everyone; bulk delete, export and import for the teacher only, checked where each action happens).
Storage is classroom/drawings.py; every refusal it raises becomes a translated message here."""

from __future__ import annotations

import hashlib
import secrets
import time

import numpy as np
import streamlit as st
from PIL import Image

from classroom import drawings as collection
from classroom.drawings import CollectionError
from ui import class_cleanup, data_figures, figures, roles
from ui.i18n import t

GRID, PER_ROW = 60, 12
PHOTO_SIDE = 320  # px: a photo's long side as kept in the collection (a canvas is 280)


def message(e: CollectionError) -> str:
    if e.kind == "damaged":
        return t("coll_damaged", why=e.details.get("why", str(e)))
    return t(f"coll_{e.kind}", **e.details)


COUNT_TTL_S = 1.0  # "Drawings saved by the class: n" may lag others' saves by a second; a session's own save is at once
_counted: dict[str, tuple[float, int | None]] = {}  # folder → (when, how many)


def _count(fresh: bool = False) -> int | None:
    """How many drawings the class saved: under every answer, so read from the database at most once a second
    for the whole server (each read opens the database: 0.5 ms a stroke), and at once after a save."""
    folder, now = str(collection.folder_default()), time.monotonic()
    when, n = _counted.get(folder, (-COUNT_TTL_S, None))
    if fresh or now - when >= COUNT_TTL_S:
        n = collection.count()
        _counted[folder] = (now, n)
    return n


def _session() -> str:
    """This browser session's token (this module owns the key): what the rate limit counts and what the
    teacher can delete by. Random, never shown to anyone else, and no account behind it."""
    if "coll_session" not in st.session_state:
        st.session_state["coll_session"] = secrets.token_hex(8)
    return st.session_state["coll_session"]


def _fit(canvas: np.ndarray | None) -> np.ndarray | None:
    """What is kept of the picture beside its 28×28. A canvas (RGBA) is kept whole; a photo (grey or RGB) is
    kept at most PHOTO_SIDE px a side: enough to preprocess again, and its PNG stays under the size cap."""
    if canvas is None:
        return None
    a = np.asarray(canvas, np.uint8)
    if a.ndim == 2:
        a = np.stack([a] * 3, axis=-1)  # a grey photo
    side = collection.MAX_CANVAS_SIDE if a.shape[2] == 4 else PHOTO_SIDE
    if max(a.shape[:2]) <= side:
        return a
    img = Image.fromarray(a)
    img.thumbnail((side, side))
    return np.asarray(img)


def _digest(image28: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(image28, np.float32).tobytes()).hexdigest()


def _keep_nickname() -> None:
    # Streamlit forgets a widget's value on a page that does not draw it: the nickname outlives a visit elsewhere
    st.session_state["coll_nick"] = collection.clean_nickname(st.session_state.get("coll_nickname_box", ""))


def nickname_box() -> None:
    """The optional nickname saved with a drawing: one box on the Draw page, outside its fragments, so that a
    stroke does not redraw it (each element is a message to the browser, at every stroke)."""
    st.text_input(t("coll_nickname"), value=st.session_state.get("coll_nick", ""), key="coll_nickname_box",
                  max_chars=collection.MAX_NICKNAME, placeholder=t("coll_nickname_hint"), on_change=_keep_nickname)


def _save(image28: np.ndarray, canvas, digit: int) -> None:
    """Save with this label; clicking another digit for the same drawing corrects its label in place."""
    digest, last = _digest(image28), st.session_state.get("coll_last")
    try:
        if last and last[0] == digest and collection.relabel(last[1], digit):
            saved = last[1]
        else:  # a new drawing, or the teacher deleted the one saved a moment ago
            saved = collection.add(image28, digit, _fit(canvas), nickname=st.session_state.get("coll_nick", ""),
                                   session=_session())
    except CollectionError as e:
        st.session_state["coll_error"] = message(e)
        return
    st.session_state["coll_last"] = (digest, saved, digit)
    st.session_state.pop("coll_error", None)
    _count(fresh=True)


def _picked(key: str, image28: np.ndarray, canvas) -> None:
    """A digit was picked: save with it, then let go of the pick, so that the same digit can be picked again."""
    digit = st.session_state.get(key)
    st.session_state[key] = None
    if isinstance(digit, int) and 0 <= digit <= 9:
        _save(image28, canvas, digit)


@st.fragment
def wrong_row(image28: np.ndarray, canvas: np.ndarray | None, suffix: str = "") -> None:
    """"Wrong? It was a …": the ten digits as one widget (pills, in a grid of five a row: a 390 px phone
    holds them), where ten buttons and a text box were sixteen messages at every stroke. One pick saves the
    drawing (28×28 and canvas: for one digit of a number, its crop of the drawing) with its true label and
    the page's nickname (`nickname_box`). `suffix` ends every key (`coll_pick<suffix>`,
    `coll-count<suffix>`), for a row that is not single mode's.

    A fragment inside the answer's, decorated once at import: a pick reruns these few elements only, not
    the answer above them (a save cost a whole stroke's rerun before)."""
    key = f"coll_pick{suffix}"
    with st.container(key=f"coll-row{suffix}"):
        st.pills(t("coll_wrong"), list(range(10)), key=key, help=t("coll_wrong_help"), on_change=_picked,
                 args=(key, image28, canvas))
        if err := st.session_state.get("coll_error"):
            st.error(err)
        last = st.session_state.get("coll_last")
        n = _count()
        with st.container(key=f"coll-count{suffix}"):
            if last and last[0] == _digest(image28):
                st.success(t("coll_saved", d=last[2], n=n or 0))
            elif n is not None:
                st.caption(t("coll_count", n=n))


def explore_section() -> None:
    """The Explore page's view of the collection: what anyone sees, then the teacher's controls."""
    st.subheader(t("coll_title"))
    teacher = roles.is_teacher()
    try:
        c = collection.load(canvases=False)  # the grid needs only the 28×28s; export reads the PNGs itself
    except CollectionError as e:
        st.error(message(e))
        if teacher:
            _import_box()
        return
    st.caption(t("coll_intro", n=len(c), cap=collection.MAX_DRAWINGS))
    if done := st.session_state.pop("coll_done", None):
        st.success(t(done[0], **done[1]))
    if failed := st.session_state.pop("coll_error_explore", None):
        st.error(message(failed))
    if not len(c):
        st.info(t("eval_no_drawings"))
    else:
        st.plotly_chart(data_figures.counts_bar(c.counts()), config={"displayModeBar": False}, key="coll_counts")
        digits = st.pills(t("coll_show_digit"), list(range(10)), selection_mode="multi", key="coll_digits")
        shown = collection.matching(c, digits=digits)
        newest = np.flatnonzero(shown)[::-1][:GRID]
        if shown.sum() > GRID:
            st.caption(t("coll_newest", shown=GRID, n=int(shown.sum())))
        for row in range(0, len(newest), PER_ROW):
            for i, col in zip(newest[row:row + PER_ROW], st.columns(PER_ROW)):
                with col, st.container(key=f"coll_tile_{c.ids[i]}"):
                    st.image(figures.pixel_grid(c.images[i] / 255, cell=3), caption=str(c.labels[i]), width="stretch")
                    if teacher:
                        st.checkbox(t("coll_pick"), key=f"coll_pick_{c.ids[i]}", label_visibility="collapsed")
    if not teacher:
        st.caption(t("coll_teacher_only"))
        return
    if len(c):
        class_cleanup.section(c, digits, newest)
        st.download_button(t("coll_export"), collection.export_bytes, file_name="class_drawings.npz",
                           mime="application/octet-stream", key="coll_export", icon=":material/download:",
                           on_click="ignore")  # the file is built only when clicked (60 MB at 2,000)
    _import_box()


def _import() -> None:
    """The uploader's callback: runs even for a forged upload from a student's session, so it checks."""
    up = st.session_state.get("coll_import")
    if up is None or not roles.is_teacher():
        return
    try:
        added = collection.import_bytes(up.getvalue())
    except CollectionError as e:
        st.session_state["coll_error_explore"] = e  # translated where it is shown
        return
    st.session_state["coll_done"] = ("coll_imported", {"n": added})


def _import_box() -> None:
    st.file_uploader(t("coll_import"), type=["npz"], key="coll_import", on_change=_import,
                     max_upload_size=collection.MAX_FILE_BYTES // 2**20)


def train_weight() -> int:
    """The Train page's "include the class's drawings": how many times each saved drawing is repeated."""
    n = _count()
    value = st.number_input(t("train_drawings"), 0, 100, step=1, key="train_drawings",
                            help=t("train_drawings_help", n=n or 0), disabled=not n)
    return int(value) if n else 0

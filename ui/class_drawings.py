"""The class's drawings in the app: the "Wrong? It was a …" row under the Draw page's answers, and the
Explore page's view of the collection (counts, a grid, delete, export and import). Storage is
classroom/drawings.py; every refusal it raises becomes a translated message here."""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st
from PIL import Image

from classroom import drawings as collection
from classroom.drawings import CollectionError
from ui import data_figures, figures
from ui.i18n import t

GRID, PER_ROW = 60, 12


PHOTO_SIDE = 320  # px: a photo's long side as kept in the collection (a canvas is 280)


def message(e: CollectionError) -> str:
    if e.kind == "damaged":
        return t("coll_damaged", why=e.details.get("why", str(e)))
    return t(f"coll_{e.kind}", **e.details)


def _count() -> int | None:
    return collection.count()  # not load(): this runs under every answer, and the file may hold 2,000 drawings


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


def _save(image28: np.ndarray, canvas, digit: int) -> None:
    """Save with this label; clicking another digit for the same drawing corrects it instead of adding one."""
    digest = hashlib.sha256(np.ascontiguousarray(image28, np.float32).tobytes()).hexdigest()
    last = st.session_state.get("coll_last")
    try:
        if last and last[0] == digest:
            collection.delete([last[1]])
        saved = collection.add(image28, digit, _fit(canvas))
    except CollectionError as e:
        st.session_state["coll_error"] = message(e)
        return
    st.session_state["coll_last"] = (digest, int(saved.ids[-1]), digit)
    st.session_state.pop("coll_error", None)


def wrong_row(image28: np.ndarray, canvas: np.ndarray | None) -> None:
    """Ten buttons, 0–9: one click saves the drawing (28×28 and canvas) with its true label."""
    with st.container(key="coll-row"):
        st.markdown(f"**{t('coll_wrong')}**", help=t("coll_wrong_help"))
        for d, col in enumerate(st.columns(10, gap="small")):
            col.button(str(d), key=f"coll_label_{d}", on_click=_save, args=(image28, canvas, d), width="stretch")
        if err := st.session_state.get("coll_error"):
            st.error(err)
        digest = hashlib.sha256(np.ascontiguousarray(image28, np.float32).tobytes()).hexdigest()
        last = st.session_state.get("coll_last")
        n = _count()
        with st.container(key="coll-count"):
            if last and last[0] == digest:
                st.success(t("coll_saved", d=last[2], n=n or 0))
            elif n is not None:
                st.caption(t("coll_count", n=n))


def _confirm_delete() -> None:
    """Asks before deleting: the ids wait in session state until Delete or Cancel is clicked."""
    ids = st.session_state.get("coll_confirm")
    if not ids:
        return
    with st.container(key="coll-confirm", border=True):
        st.warning(t("coll_delete_confirm", n=len(ids)))
        a, b, _ = st.columns([1, 1, 4])
        if a.button(t("coll_delete_yes"), type="primary", key="coll_delete_yes", icon=":material/delete:"):
            try:
                collection.delete(ids)
            except CollectionError as e:
                st.error(message(e))
                return
            for i in ids:
                st.session_state.pop(f"coll_pick_{i}", None)
            st.session_state.pop("coll_confirm", None)
            st.rerun()
        if b.button(t("coll_delete_no"), key="coll_delete_no"):
            st.session_state.pop("coll_confirm", None)
            st.rerun()


def explore_section() -> None:
    """The Explore page's view of the collection."""
    st.subheader(t("coll_title"))
    try:
        c = collection.load()
    except CollectionError as e:
        st.error(message(e))
        _import_box()
        return
    st.caption(t("coll_intro", n=len(c), cap=collection.MAX_DRAWINGS))
    if len(c):
        st.plotly_chart(data_figures.counts_bar(c.counts()), config={"displayModeBar": False}, key="coll_counts")
        digits = st.pills(t("coll_show_digit"), list(range(10)), selection_mode="multi", key="coll_digits")
        idx = np.flatnonzero(np.isin(c.labels, digits)) if digits else np.arange(len(c))
        idx = idx[::-1][:GRID]  # newest first
        for row in range(0, len(idx), PER_ROW):
            for i, col in zip(idx[row:row + PER_ROW], st.columns(PER_ROW)):
                with col, st.container(key=f"coll_tile_{c.ids[i]}"):
                    st.image(figures.pixel_grid(c.images[i] / 255, cell=3), caption=str(c.labels[i]), width="stretch")
                    st.checkbox(t("coll_pick"), key=f"coll_pick_{c.ids[i]}", label_visibility="collapsed")
        picked = [int(c.ids[i]) for i in idx if st.session_state.get(f"coll_pick_{c.ids[i]}")]
        if st.button(t("coll_delete", n=len(picked)), disabled=not picked, key="coll_delete", icon=":material/delete:"):
            st.session_state["coll_confirm"] = picked
        _confirm_delete()
        st.download_button(t("coll_export"), collection.export_bytes(), file_name="class_drawings.npz",
                           mime="application/octet-stream", key="coll_export", icon=":material/download:")
    else:
        st.info(t("eval_no_drawings"))
    _import_box()


def _import_box() -> None:
    up = st.file_uploader(t("coll_import"), type=["npz"], key="coll_import",
                          max_upload_size=collection.MAX_FILE_BYTES // 2**20)
    if msg := st.session_state.pop("coll_import_msg", None):
        st.success(msg)
    if up is None:
        return
    token = hashlib.sha256(up.getvalue()).hexdigest()
    if st.session_state.get("coll_imported") == token:  # the upload stays in the widget: import it once
        return
    try:
        added = collection.import_bytes(up.getvalue())
    except CollectionError as e:
        st.error(message(e))
        return
    st.session_state["coll_imported"] = token
    st.session_state["coll_import_msg"] = t("coll_imported", n=added)
    st.rerun()


def train_weight() -> int:
    """The Train page's "include the class's drawings": how many times each saved drawing is repeated."""
    n = _count()
    value = st.number_input(t("train_drawings"), 0, 100, step=1, key="train_drawings",
                            help=t("train_drawings_help", n=n or 0), disabled=not n)
    return int(value) if n else 0

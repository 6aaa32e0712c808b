"""The class wall, for the projector: the class's drawings as they arrive, newest first, each with both
models' answers, and a running tally ("the CNN read 31 of 40 right, the MLP 28"). The teacher can hide a
drawing: it leaves the collection.

It redraws every REFRESH_S seconds while forty students draw, so each redraw must cost almost nothing:
the collection is read again only when its file changed, each drawing is scored once per model
(ui/wall/answers.py), and the tiles go to the browser as one element, not two per drawing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from classroom import drawings as collection
from classroom.drawings import Collection, CollectionError
from ui import class_drawings, figures, models, roles
from ui.i18n import t
from ui.wall.answers import REFRESH_S, Answers, tally

WALL_MAX = 48      # tiles shown: six rows of eight on a 1280-px projector; the tally counts every drawing
STUDENT_REFRESH_S = 10.0  # seconds between redraws on a student's phone
THUMB = 84         # px on screen: the 28×28 the models saw, three screen pixels to one
CSS = """<style>
.dl-wall {display: grid; grid-template-columns: repeat(auto-fill, minmax(118px, 1fr)); gap: .6rem;}
.dl-tile {margin: 0; padding: .4rem; border: 1px solid #cbd5e1; border-radius: .5rem; text-align: center;}
.dl-tile img {width: THUMBpx; height: THUMBpx; image-rendering: pixelated; display: block; margin: 0 auto .2rem;}
.dl-tile figcaption {font-size: 1rem; line-height: 1.35; white-space: nowrap;}
.dl-label {font-size: 1.3rem; font-weight: 800;}
.dl-ok {color: #15803d;} .dl-bad {color: #b91c1c; font-weight: 700;}
.dl-tally {font-size: 1.9rem; font-weight: 700; line-height: 1.3; margin-bottom: .6rem;}
</style>""".replace("THUMB", str(THUMB))


def read() -> Collection:
    """The class's drawings, read from disk only when the file changed. The one call the wall makes into
    classroom.drawings: when it offers a cheap "newest since" read, this is the function to change."""
    path = collection.folder_default() / collection.FILE
    try:
        stat = path.stat()
    except FileNotFoundError:
        return collection.empty()
    return _read_at(str(path.parent), stat.st_mtime_ns, stat.st_size)


@st.cache_resource(max_entries=1, show_spinner=False)
def _read_at(folder: str, mtime_ns: int, size: int) -> Collection:
    """Keyed by the file's (mtime, size): every session's wall shares one read of each version."""
    return collection.load(Path(folder))


@st.cache_resource(max_entries=8, show_spinner=False)
def _answers(path: str, mtime: float, _entry) -> Answers:
    """One Answers per checkpoint version, shared by every session (a retrained run at the same path is a
    new version, scored afresh). It grows in place by design: that is the cache."""
    return Answers(lambda images: models.predict(_entry, images))


def answers_of(entry) -> Answers:
    return _answers(str(entry.path), (entry.path / "model.safetensors").stat().st_mtime, entry)


@st.cache_data(max_entries=4096, show_spinner=False)
def _thumb(drawing_id: int, _image28: np.ndarray) -> str:
    """A drawing's 28×28 as a PNG data URL, dark ink on white (ids are never reused, so the id is the key)."""
    return figures.png_url(_image28)


def _cnn_first(item) -> bool:
    return item[0] != "cnn"  # "the CNN read 31 of 40 right, the MLP 28": the usual winner first, here and on tiles


def tally_line(c: Collection, answers: dict[str, dict[int, int]]) -> str:
    parts = [t("wall_tally_first" if i == 0 else "wall_tally_next", name=slot.upper(), n=len(c),
               right=tally(c.labels, c.ids, a)) for i, (slot, a) in enumerate(answers.items())]
    line = t("wall_tally_join").join(parts) + t("wall_tally_end")
    return line[:1].upper() + line[1:]


def caption(label: int, slots: dict[str, int]) -> str:
    """HTML of a tile's caption: the true digit, then each model's answer, ✓ or ✗ (not colour alone)."""
    marks = " ".join(f"<span class='dl-{'ok' if d == label else 'bad'}'>{slot.upper()} {d}"
                     f"{'✓' if d == label else '✗'}</span>" for slot, d in slots.items())
    return f"<span class='dl-label'>{label}</span><br>{marks}"


def tiles_html(c: Collection, order: np.ndarray, answers: dict[str, dict[int, int]]) -> str:
    """Every tile as one block of HTML (digits and fixed model names only: nothing a user typed)."""
    cells = []
    for i in order:
        d, y = int(c.ids[i]), int(c.labels[i])
        slots = {slot: a[d] for slot, a in answers.items()}
        cells.append(f"<figure class='dl-tile' data-id='{d}'><img src='{_thumb(d, c.images[i])}' alt='{y}'>"
                     f"<figcaption>{caption(y, slots)}</figcaption></figure>")
    return f"<div class='dl-wall'>{''.join(cells)}</div>"


def hide(drawing_id: int) -> None:
    """Take one drawing out of the collection: the teacher's action, checked here."""
    if not roles.allowed():
        return
    try:
        collection.delete([drawing_id])
    except CollectionError as e:
        st.error(class_drawings.message(e))
        return
    st.rerun(scope="fragment")


def hide_grid(c: Collection, order: np.ndarray, answers: dict[str, dict[int, int]], per_row: int = 8) -> None:
    """The teacher's hiding mode: the same tiles as widgets, each with its Hide button."""
    for row in range(0, len(order), per_row):
        for i, col in zip(order[row:row + per_row], st.columns(per_row)):
            d, y = int(c.ids[i]), int(c.labels[i])
            with col:
                st.markdown(f"<figure class='dl-tile'><img src='{_thumb(d, c.images[i])}' alt='{y}'><figcaption>"
                            f"{caption(y, {s: a[d] for s, a in answers.items()})}</figcaption></figure>",
                            unsafe_allow_html=True)
                if st.button(t("wall_hide"), key=f"wall_hide_{d}", icon=":material/visibility_off:",
                             width="stretch"):
                    hide(d)


def live(chosen: dict) -> None:
    """The wall, redrawn every REFRESH_S seconds on the teacher's screen. A student's phone redraws it every
    STUDENT_REFRESH_S: the class watches the projector, and forty phones redrawing every two seconds would
    take CPU from their own answers."""
    every = REFRESH_S if roles.is_teacher() else STUDENT_REFRESH_S
    st.fragment(_wall, run_every=every)(chosen)


def _wall(chosen: dict) -> None:
    """One redraw: new drawings are scored (once), the tally and the tiles follow."""
    try:
        c = read()
    except CollectionError as e:
        st.error(class_drawings.message(e))
        return
    if not len(c):
        st.info(t("wall_empty"), icon=":material/draw:")
        return
    answers = {slot: answers_of(entry).fill(c.ids, c.images) for slot, entry in sorted(chosen.items(), key=_cnn_first)}
    st.markdown(f"<div class='dl-tally'>{tally_line(c, answers)}</div>", unsafe_allow_html=True)
    order = np.argsort(-c.created, kind="stable")[:WALL_MAX]  # newest first
    if not roles.locked() and st.toggle(t("wall_hide_mode"), key="wall_hide_mode", help=t("wall_hide_help")):
        hide_grid(c, order, answers)
    else:
        st.markdown(tiles_html(c, order, answers), unsafe_allow_html=True)
    if len(c) > WALL_MAX:
        st.caption(t("wall_more", n=len(c) - WALL_MAX))

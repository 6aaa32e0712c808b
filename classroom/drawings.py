"""The class's own drawings, labelled by the students ("Wrong? It was a …"), kept as a local data set.

One SQLite database (Python's own `sqlite3`), `drawings.sqlite` in `data/class_drawings/` or
`$DIGITLAB_DRAWINGS`, one row per drawing: the 28×28 the models saw (784 bytes), the canvas it came from
(a PNG, so it can be preprocessed again), the label, the time, an optional nickname and the session.

Why SQLite rather than append-only shards: a save is one INSERT in one transaction, so it costs the same
at 2,000 drawings as at 10 (the old `.npz` store rewrote every drawing on every save); SQLite's own lock
and write-ahead log let forty browsers save at once, and a save killed half-way (kill -9, power) is
rolled back when the database is next opened, so no temporary files are left; a delete by id, by time,
by nickname or by session is one statement, with no shards to compact; "since X, newest first" is a range
of an index. Shards would need their own index, locking and compaction: more code, the same guarantees.

The file itself, and the one-time migration of the old `drawings.npz`, are `classroom/database.py`; the
arrays and the caps `classroom/collection.py`. Export and import stay `.npz` files (`classroom/npz_file.py`):
nothing is ever unpickled, and an uploaded database is never opened. Every failure is a CollectionError
with a kind the app translates: `busy`, `disk` (full or failing: the transaction is rolled back, nothing
saved before is lost), `damaged` (never written over), `full`, `rate`, `label`, `image`, `too_big`.
"""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import time
from pathlib import Path

import numpy as np
from PIL import Image

from classroom import database, npz_file
from classroom.collection import (  # noqa: F401 - re-exported: callers need classroom.drawings alone
    MAX_CANVAS_BYTES,
    MAX_CANVAS_SIDE,
    MAX_DRAWINGS,
    MAX_FILE_BYTES,
    MAX_NICKNAME,
    SAVES_PER_WINDOW,
    WINDOW_S,
    Collection,
    CollectionError,
    build,
    clean_nickname,
    empty,
    matching,
)
from classroom.database import FILE, LOCK_TIMEOUT_S, OLD_FILE, folder_default  # noqa: F401 - re-exported


def _collection(rows) -> Collection:
    ids, labels, created, images, pngs, nicknames, sessions = zip(*rows) if rows else ([],) * 7
    try:
        return build(ids, labels, images, created, pngs, nicknames, sessions)
    except (ValueError, TypeError) as e:  # a database written by something else than this module
        raise CollectionError("damaged", f"not a readable collection of drawings ({e})", why=str(e)) from None


def load(folder: Path | None = None, canvases: bool = True) -> Collection:
    """Every saved drawing, oldest first, as arrays (empty when there are none yet): what training and the
    Evaluate page use. canvases=False leaves the PNGs out (the Explore page's grid needs only the 28×28s)."""
    with database.connect(folder, write=False) as con:
        if con is None:
            return empty()
        canvas = "canvas" if canvases else "x''"
        return _collection(con.execute(f"SELECT id, label, created, image, {canvas}, nickname, session "
                                       "FROM drawings ORDER BY created, id").fetchall())


def recent(since: float = 0.0, limit: int | None = None, folder: Path | None = None) -> Collection:
    """The drawings saved after `since` (unix seconds, excluded), newest first, at most `limit`: one range of
    the `created` index, however many are saved (for the class wall)."""
    with database.connect(folder, write=False) as con:
        if con is None:
            return empty()
        return _collection(con.execute(f"SELECT {database.COLUMNS} FROM drawings WHERE created > ? "
                                       "ORDER BY created DESC, id DESC LIMIT ?",
                                       (float(since), -1 if limit is None else int(limit))).fetchall())


def count(folder: Path | None = None) -> int | None:
    """How many drawings are saved (cheap enough for every stroke); None if the store cannot be read."""
    try:
        with database.connect(folder, write=False) as con:
            return 0 if con is None else con.execute("SELECT COUNT(*) FROM drawings").fetchone()[0]
    except CollectionError:
        return None


def _room(con: sqlite3.Connection, n: int, nbytes: int) -> None:
    """Refuse (CollectionError 'full') when n more drawings of nbytes would pass either cap."""
    have, size = con.execute("SELECT COUNT(*), COALESCE(SUM(LENGTH(canvas)), 0) + 784 * COUNT(*) "
                             "FROM drawings").fetchone()
    if have + n > MAX_DRAWINGS:
        raise CollectionError("full", f"the collection is full ({MAX_DRAWINGS} drawings): delete some first",
                              limit=MAX_DRAWINGS)
    if size + nbytes > MAX_FILE_BYTES:
        raise CollectionError("full", f"the collection would pass {MAX_FILE_BYTES // 2**20} MB", limit=MAX_DRAWINGS)


def _png(canvas_rgba: np.ndarray | None) -> bytes:
    if canvas_rgba is None:
        return b""
    a = np.asarray(canvas_rgba)
    if a.ndim != 3 or a.shape[2] not in (3, 4) or max(a.shape[:2]) > MAX_CANVAS_SIDE:
        raise CollectionError("too_big", f"the canvas must be an RGB(A) image of at most {MAX_CANVAS_SIDE} px a side",
                              limit=MAX_CANVAS_SIDE)
    buf = io.BytesIO()
    # zlib's default level, not optimize=True: 5 ms instead of 13 for a 280 × 280 canvas (4.3 KB, not 3.9),
    # and a save happens while forty students wait for their answers
    Image.fromarray(a.astype(np.uint8)).save(buf, format="PNG")
    if buf.tell() > MAX_CANVAS_BYTES:
        raise CollectionError("too_big", f"the drawing is larger than {MAX_CANVAS_BYTES:,} bytes",
                              limit=MAX_CANVAS_SIDE)
    return buf.getvalue()


def _check_label(label) -> int:
    if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or not 0 <= label <= 9:
        raise CollectionError("label", f"the label must be a digit 0–9, got {label!r}")
    return int(label)


def add(image28: np.ndarray, label: int, canvas_rgba: np.ndarray | None = None, folder: Path | None = None,
        *, nickname: str = "", session: str = "") -> int:
    """Save one drawing with its true label and return its id. image28: (28, 28) in [0, 1] (what the models
    saw). A non-empty `session` may save SAVES_PER_WINDOW drawings per WINDOW_S seconds (CollectionError
    'rate' past that), so one browser cannot flood the collection."""
    label = _check_label(label)
    img = np.asarray(image28, np.float64)
    if img.shape != (28, 28) or not np.isfinite(img).all():
        raise CollectionError("image", "the drawing must be a 28×28 image")
    png, now = _png(canvas_rgba), time.time()
    pixels = np.round(255 * np.clip(img, 0, 1)).astype(np.uint8).tobytes()
    with database.connect(folder, write=True) as con, database.transaction(con):
        if session:
            recent_saves = con.execute("SELECT COUNT(*) FROM drawings WHERE session = ? AND created > ?",
                                       (session, now - WINDOW_S)).fetchone()[0]
            if recent_saves >= SAVES_PER_WINDOW:
                raise CollectionError("rate", f"at most {SAVES_PER_WINDOW} saves a minute from one browser",
                                      n=SAVES_PER_WINDOW, seconds=int(WINDOW_S))
        _room(con, 1, len(pixels) + len(png))
        for _ in range(3):  # ids are time ⊕ 24 random bits: a repeat is one in millions, but never an error
            new_id = time.time_ns() ^ int.from_bytes(os.urandom(3), "big")
            if not con.execute("SELECT 1 FROM drawings WHERE id = ?", (new_id,)).fetchone():
                break
        con.execute(f"INSERT INTO drawings ({database.COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (new_id, label, now, pixels, png, clean_nickname(nickname), str(session)))
        return new_id


def relabel(drawing_id: int, label: int, folder: Path | None = None) -> bool:
    """Correct one drawing's label in place (a second click on "Wrong? It was a …"); False if it is gone."""
    label = _check_label(label)
    with database.connect(folder, write=True) as con, database.transaction(con):
        return con.execute("UPDATE drawings SET label = ? WHERE id = ?", (label, int(drawing_id))).rowcount == 1


def delete(ids, folder: Path | None = None) -> int:
    """Remove the drawings with these ids, all or none; return how many went (unknown ids are ignored:
    another browser may have removed them). The Explore page's bulk delete and the class wall's hide."""
    gone = [(int(i),) for i in np.asarray(list(ids), np.int64)]
    with database.connect(folder, write=True) as con, database.transaction(con):
        return con.executemany("DELETE FROM drawings WHERE id = ?", gone).rowcount if gone else 0


def export_bytes(folder: Path | None = None) -> bytes:
    """The whole collection as one .npz file (`classroom/npz_file.py`), to download and import elsewhere."""
    return npz_file.encode(load(folder))


def import_bytes(raw: bytes, folder: Path | None = None) -> int:
    """Add the drawings of an exported (or old store) file that are not here yet; return how many were added.
    They share the session 'import:<sha256[:12]>', so a whole import can be deleted again in one go.
    The file is checked in full first: a damaged one changes nothing."""
    incoming = npz_file.parse(raw)
    session = "import:" + hashlib.sha256(raw).hexdigest()[:12]
    with database.connect(folder, write=True) as con, database.transaction(con):
        ids = incoming.ids.tolist()
        have = {r[0] for i in range(0, len(ids), 500)  # SQLite takes at most a few thousand parameters
                for r in con.execute(f"SELECT id FROM drawings WHERE id IN ({','.join('?' * len(ids[i:i + 500]))})",
                                     ids[i:i + 500])}
        new = [row for row in database.rows(incoming, session) if row[0] not in have]
        if len(new) > MAX_DRAWINGS - (con.execute("SELECT COUNT(*) FROM drawings").fetchone()[0]):
            raise CollectionError("full", f"importing {len(new)} drawings would pass the cap of {MAX_DRAWINGS}",
                                  limit=MAX_DRAWINGS)
        _room(con, len(new), sum(len(r[3]) + len(r[4]) for r in new))
        con.executemany(f"INSERT INTO drawings ({database.COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", new)
        return len(new)


def with_class_drawings(x, y, repeat: int, folder: Path | None = None):
    """Training tensors (B, 28, 28) uint8 and (B,) long, with every saved drawing appended `repeat` times,
    on the same device, and the ids of the drawings appended (int64, empty when none). The repeat is the
    teacher's weight: a few dozen drawings among 60,000 images would barely move the model; repeated, the
    class's own 7s count. The ids go into the checkpoint, so the Evaluate page can tell a model's score on
    drawings it trained on from its score on drawings it never saw."""
    import torch
    none = np.zeros(0, np.int64)
    if repeat <= 0:
        return x, y, none
    c = load(folder, canvases=False)
    if not len(c):
        return x, y, none
    xs = torch.from_numpy(np.tile(c.images, (repeat, 1, 1))).to(x.device)
    ys = torch.from_numpy(np.tile(c.labels.astype(np.int64), repeat)).to(y.device)
    return torch.cat([x, xs]), torch.cat([y, ys]), c.ids.copy()


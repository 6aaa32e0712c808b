"""The SQLite file under the class's drawings (`classroom/drawings.py` is the API on top): the schema,
opening a connection (every sqlite3 or OS error becomes a CollectionError the app can translate), write
transactions, and what the first open of a folder in a process does: remove the old `.npz` store's
temporary files (left by kill -9) and migrate its `drawings.npz` once, without loss.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import sqlite3
import threading
import time
from pathlib import Path

from classroom import npz_file
from classroom.collection import Collection, CollectionError, clean_nickname
from model.paths import REPO

FILE, OLD_FILE = "drawings.sqlite", "drawings.npz"
LOCK_TIMEOUT_S = 15  # how long a save waits for another one to finish before it says "busy"
SCHEMA = """
CREATE TABLE IF NOT EXISTS drawings (
    id       INTEGER PRIMARY KEY,            -- int64, unique: what delete refers to
    label    INTEGER NOT NULL CHECK (label BETWEEN 0 AND 9),
    created  REAL    NOT NULL,               -- unix seconds
    image    BLOB    NOT NULL CHECK (length(image) = 784),  -- 28 x 28 uint8, row by row
    canvas   BLOB    NOT NULL,               -- PNG, or empty
    nickname TEXT    NOT NULL DEFAULT '',
    session  TEXT    NOT NULL DEFAULT ''     -- browser session, or 'import:<sha256[:12]>' of a file
);
CREATE INDEX IF NOT EXISTS drawings_created ON drawings (created);
CREATE INDEX IF NOT EXISTS drawings_session ON drawings (session, created);
CREATE TABLE IF NOT EXISTS migrated (sha256 TEXT PRIMARY KEY, at REAL NOT NULL);  -- old .npz files read in
PRAGMA user_version = 1;
"""
COLUMNS = "id, label, created, image, canvas, nickname, session"
_ready: set[Path] = set()  # folders this process has opened: leftovers removed, old file migrated
_ready_lock = threading.Lock()


def folder_default() -> Path:
    return Path(os.environ.get("DIGITLAB_DRAWINGS", REPO / "data" / "class_drawings"))


def failure(e: Exception, path: Path) -> CollectionError:
    """An sqlite3 or OS error → the CollectionError the app can put in a sentence."""
    code = getattr(e, "sqlite_errorcode", 0) & 0xFF  # the primary result code
    why = f"{path.name}: {e}"
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return CollectionError("busy", "the collection is busy; try again in a moment")
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return CollectionError("damaged", f"not a readable collection of drawings ({why})", why=why)
    if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
        why = f"{path.name}: disk full"
    return CollectionError("disk", f"could not write the drawings to the disk ({why})", why=why)


@contextlib.contextmanager
def connect(folder: Path | None, write: bool):
    """A connection to the folder's database (None for a read when there is none), closed afterwards.
    Every sqlite3 or OS error inside becomes a CollectionError."""
    folder = Path(folder or folder_default())
    db = folder / FILE
    con = None
    try:
        _prepare(folder)
        if write:
            folder.mkdir(parents=True, exist_ok=True)
        elif not db.exists():
            yield None
            return
        con = sqlite3.connect(db, timeout=LOCK_TIMEOUT_S, isolation_level=None)  # we BEGIN ourselves
        con.execute("PRAGMA journal_mode = WAL")    # readers never wait for a save, nor a save for them
        con.execute("PRAGMA synchronous = FULL")    # a save that returned is on the disk, also after a power cut
        if con.execute("PRAGMA user_version").fetchone()[0] == 0:
            if not write:  # an empty file another process is just creating
                yield None
                return
            con.executescript(SCHEMA)
        yield con
    except (sqlite3.Error, OSError) as e:
        if con is not None and con.in_transaction:
            con.rollback()
        raise failure(e, db) from None
    finally:
        if con is not None:
            con.close()


@contextlib.contextmanager
def transaction(con: sqlite3.Connection):
    """BEGIN IMMEDIATE takes the write lock up front (waiting up to LOCK_TIMEOUT_S): two saves never both
    read, then both try to write. Rolled back on any error, so a refused or failed change leaves nothing."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        con.rollback()
        raise
    con.execute("COMMIT")


def _prepare(folder: Path) -> None:
    """Once per process and folder (the app's next start): remove the old store's temporary files, which a
    kill -9 during a save left behind (59 MB each at 2,000 drawings), and migrate its `drawings.npz`."""
    key = folder.absolute()
    if key in _ready:
        return
    with _ready_lock:
        if key in _ready:
            return
        if folder.is_dir():
            for tmp in folder.glob(f".{OLD_FILE}.*.tmp"):
                tmp.unlink(missing_ok=True)
            if (folder / OLD_FILE).exists():
                _migrate(folder)  # a damaged file raises here, every time, until it is moved away
        _ready.add(key)


def _migrate(folder: Path) -> None:
    """Insert the old file's drawings (same ids, dates, labels and pictures), record that it was read,
    then keep it renamed. Killed half-way, it runs again: the rows and the record commit together."""
    old = folder / OLD_FILE
    raw = old.read_bytes()
    try:
        c = npz_file.parse(raw)
    except CollectionError as e:
        why = f"{OLD_FILE}: {e.details.get('why', e)}"
        raise CollectionError("damaged", f"not a readable collection of drawings ({why})", why=why) from None
    digest = hashlib.sha256(raw).hexdigest()
    db = folder / FILE
    with contextlib.closing(sqlite3.connect(db, timeout=LOCK_TIMEOUT_S, isolation_level=None)) as con:
        con.execute("PRAGMA journal_mode = WAL")
        con.executescript(SCHEMA)
        with transaction(con):
            if not con.execute("SELECT 1 FROM migrated WHERE sha256 = ?", (digest,)).fetchone():
                con.executemany(f"INSERT OR IGNORE INTO drawings ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                rows(c, session=""))
                con.execute("INSERT INTO migrated VALUES (?, ?)", (digest, time.time()))
    os.replace(old, folder / f"drawings-before-sqlite-{digest[:12]}.npz")


def rows(c: Collection, session: str | None = None):
    for i in range(len(c)):
        yield (int(c.ids[i]), int(c.labels[i]), float(c.created[i]), c.images[i].tobytes(), c.canvas_png(i),
               clean_nickname(str(c.nicknames[i])), str(c.sessions[i]) if session is None else session)



"""The class's own drawings, labelled by the students ("Wrong? It was a …"), kept as a local data set.

One file, `drawings.npz` (numpy's zip of arrays, never pickled), in `data/class_drawings/` or
`$DIGITLAB_DRAWINGS`. Each drawing keeps the 28×28 the models saw (uint8) and the canvas it came from
(a PNG), so it can be preprocessed again later. Every change takes a file lock, reads the file, changes it
and renames a new file into place: two browsers saving at once both land, and a reader never sees half a
file. A file that cannot be read is never written over: saving is refused with a message until the teacher
moves it away, so nothing already saved is lost. Export is the file itself; import checks it first.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout
from PIL import Image

from model.paths import REPO

FILE, LOCK = "drawings.npz", "drawings.lock"
MAX_DRAWINGS = 2000                # a class of 40 saving 50 each
MAX_CANVAS_SIDE = 1200             # px; the app's canvases are at most 640 wide
MAX_CANVAS_BYTES = 200_000         # one drawing's PNG; a hand-drawn digit is a few KB
MAX_FILE_BYTES = 64 * 2**20        # the whole collection, and any file offered for import
LOCK_TIMEOUT_S = 15
KEYS = ("ids", "labels", "images", "created", "canvas_offsets", "canvas_bytes")


class CollectionError(ValueError):
    """A refused save, delete or import. `kind` is a stable key the app translates; `details` fill it in."""

    def __init__(self, kind: str, message: str, **details):
        self.kind, self.details = kind, details
        super().__init__(message)


def folder_default() -> Path:
    return Path(os.environ.get("DIGITLAB_DRAWINGS", REPO / "data" / "class_drawings"))


@dataclass(frozen=True)
class Collection:
    ids: np.ndarray             # (N,) int64, unique: what delete refers to
    labels: np.ndarray          # (N,) uint8 in 0..9
    images: np.ndarray          # (N, 28, 28) uint8: what the models saw
    created: np.ndarray         # (N,) float64 unix time
    canvas_offsets: np.ndarray  # (N + 1,) int64: drawing i's PNG is canvas_bytes[off[i]:off[i + 1]]
    canvas_bytes: np.ndarray    # (M,) uint8: every PNG, end to end

    def __len__(self) -> int:
        return len(self.ids)

    def counts(self) -> np.ndarray:
        return np.bincount(self.labels, minlength=10)[:10]

    def canvas_png(self, i: int) -> bytes:
        return self.canvas_bytes[self.canvas_offsets[i]:self.canvas_offsets[i + 1]].tobytes()

    def nbytes(self) -> int:
        return sum(getattr(self, k).nbytes for k in KEYS)


def empty() -> Collection:
    return Collection(np.zeros(0, np.int64), np.zeros(0, np.uint8), np.zeros((0, 28, 28), np.uint8),
                      np.zeros(0, np.float64), np.zeros(1, np.int64), np.zeros(0, np.uint8))


def parse(raw: bytes) -> Collection:
    """Bytes of a collection file → Collection, checked throughout. Raises CollectionError('damaged')."""
    def bad(why: str):
        return CollectionError("damaged", f"not a readable collection of drawings ({why})", why=why)
    if len(raw) > MAX_FILE_BYTES:
        raise bad(f"{len(raw):,} bytes, more than {MAX_FILE_BYTES:,}")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:  # sizes first: a small zip may unpack to gigabytes
            if sum(i.file_size for i in z.infolist()) > MAX_FILE_BYTES:
                raise bad("it unpacks to too much data")
        with np.load(io.BytesIO(raw), allow_pickle=False) as z:
            arrays = {k: z[k] for k in KEYS}
    except CollectionError:
        raise
    except Exception as e:  # noqa: BLE001 - zip, numpy and OS errors all mean the same here
        raise bad(type(e).__name__ + (f": {e}" if str(e) else "")) from None
    c = Collection(**arrays)
    n = len(c.ids)
    checks = [
        (c.ids.dtype == np.int64 and c.ids.ndim == 1, "ids"),
        (len(np.unique(c.ids)) == n, "repeated ids"),
        (c.labels.dtype == np.uint8 and c.labels.shape == (n,) and (c.labels <= 9).all(), "labels"),
        (c.images.dtype == np.uint8 and c.images.shape == (n, 28, 28), "images"),
        (c.created.dtype == np.float64 and c.created.shape == (n,), "dates"),
        (c.canvas_offsets.dtype == np.int64 and c.canvas_offsets.shape == (n + 1,), "canvas index"),
        (c.canvas_bytes.dtype == np.uint8 and c.canvas_bytes.ndim == 1, "canvas data"),
        (n <= MAX_DRAWINGS, f"more than {MAX_DRAWINGS} drawings"),
    ]
    for ok, what in checks:
        if not ok:
            raise bad(what)
    off = c.canvas_offsets
    if off[0] != 0 or off[-1] != len(c.canvas_bytes) or (np.diff(off) < 0).any():
        raise bad("canvas index")
    return c


def _encode(c: Collection) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **{k: getattr(c, k) for k in KEYS})
    return buf.getvalue()


def load(folder: Path | None = None) -> Collection:
    """The saved drawings (empty when there are none yet). Raises CollectionError('damaged')."""
    path = Path(folder or folder_default()) / FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return empty()
    return parse(raw)


def count(folder: Path | None = None) -> int | None:
    """How many drawings are saved, reading only the ids (cheap enough for every stroke); None if unreadable."""
    path = Path(folder or folder_default()) / FILE
    if not path.exists():
        return 0
    try:
        with np.load(path, allow_pickle=False) as z:
            return len(z["ids"])
    except Exception:  # noqa: BLE001 - any failure means "unreadable"; load() says why
        return None


def _write(folder: Path, c: Collection) -> None:
    raw = _encode(c)
    if len(raw) > MAX_FILE_BYTES:
        raise CollectionError("full", f"the collection would pass {MAX_FILE_BYTES // 2**20} MB", limit=MAX_DRAWINGS)
    tmp = folder / f".{FILE}.{os.getpid()}.{time.monotonic_ns()}.tmp"
    try:
        with open(tmp, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, folder / FILE)
    finally:
        tmp.unlink(missing_ok=True)


def _change(folder: Path | None, fn) -> Collection:
    """Lock, read (refusing a damaged file), apply fn(collection) → new collection, write, unlock."""
    folder = Path(folder or folder_default())
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(folder / LOCK, timeout=LOCK_TIMEOUT_S):
            new = fn(load(folder))
            _write(folder, new)
            return new
    except Timeout:
        raise CollectionError("busy", "the collection is busy; try again in a moment") from None


def _concat(a: Collection, b: Collection) -> Collection:
    return Collection(np.concatenate([a.ids, b.ids]), np.concatenate([a.labels, b.labels]),
                      np.concatenate([a.images, b.images]), np.concatenate([a.created, b.created]),
                      np.concatenate([a.canvas_offsets, b.canvas_offsets[1:] + a.canvas_offsets[-1]]),
                      np.concatenate([a.canvas_bytes, b.canvas_bytes]))


def _take(c: Collection, keep: np.ndarray) -> Collection:
    pngs = [c.canvas_png(i) for i in keep]
    offsets = np.concatenate([[0], np.cumsum([len(p) for p in pngs], dtype=np.int64)]).astype(np.int64)
    return Collection(c.ids[keep], c.labels[keep], c.images[keep], c.created[keep], offsets,
                      np.frombuffer(b"".join(pngs), np.uint8).copy())


def _png(canvas_rgba: np.ndarray | None) -> bytes:
    if canvas_rgba is None:
        return b""
    a = np.asarray(canvas_rgba)
    if a.ndim != 3 or a.shape[2] not in (3, 4) or max(a.shape[:2]) > MAX_CANVAS_SIDE:
        raise CollectionError("too_big", f"the canvas must be an RGB(A) image of at most {MAX_CANVAS_SIDE} px a side",
                              limit=MAX_CANVAS_SIDE)
    buf = io.BytesIO()
    Image.fromarray(a.astype(np.uint8)).save(buf, format="PNG", optimize=True)
    if buf.tell() > MAX_CANVAS_BYTES:
        raise CollectionError("too_big", f"the drawing is larger than {MAX_CANVAS_BYTES:,} bytes",
                              limit=MAX_CANVAS_SIDE)
    return buf.getvalue()


def add(image28: np.ndarray, label: int, canvas_rgba: np.ndarray | None = None,
        folder: Path | None = None) -> Collection:
    """Save one drawing with its true label. image28: (28, 28) in [0, 1] (what the models saw)."""
    if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or not 0 <= label <= 9:
        raise CollectionError("label", f"the label must be a digit 0–9, got {label!r}")
    img = np.asarray(image28, np.float64)
    if img.shape != (28, 28) or not np.isfinite(img).all():
        raise CollectionError("image", "the drawing must be a 28×28 image")
    png = _png(canvas_rgba)
    one = Collection(np.array([time.time_ns() ^ int.from_bytes(os.urandom(3), "big")], np.int64),
                     np.array([label], np.uint8), np.round(255 * np.clip(img, 0, 1)).astype(np.uint8)[None],
                     np.array([time.time()]), np.array([0, len(png)], np.int64), np.frombuffer(png, np.uint8))

    def append(c: Collection) -> Collection:
        if len(c) >= MAX_DRAWINGS:
            raise CollectionError("full", f"the collection is full ({MAX_DRAWINGS} drawings): delete some first",
                                  limit=MAX_DRAWINGS)
        return _concat(c, one)
    return _change(folder, append)


def delete(ids, folder: Path | None = None) -> Collection:
    """Remove the drawings with these ids (unknown ids are ignored: another browser may have removed them)."""
    gone = np.asarray(list(ids), np.int64)
    return _change(folder, lambda c: _take(c, np.flatnonzero(~np.isin(c.ids, gone))))


def export_bytes(folder: Path | None = None) -> bytes:
    """The whole collection as one .npz file, to download and import elsewhere."""
    return _encode(load(folder))


def import_bytes(raw: bytes, folder: Path | None = None) -> int:
    """Add the drawings of an exported file that are not here yet; return how many were added.

    The file is checked in full first: a damaged one changes nothing."""
    incoming = parse(raw)
    added = [0]

    def merge(c: Collection) -> Collection:
        new = np.flatnonzero(~np.isin(incoming.ids, c.ids))
        if len(c) + len(new) > MAX_DRAWINGS:
            raise CollectionError("full", f"importing {len(new)} drawings would pass the cap of {MAX_DRAWINGS}",
                                  limit=MAX_DRAWINGS)
        added[0] = len(new)
        return _concat(c, _take(incoming, new))
    _change(folder, merge)
    return added[0]


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
    c = load(folder)
    if not len(c):
        return x, y, none
    xs = torch.from_numpy(np.tile(c.images, (repeat, 1, 1))).to(x.device)
    ys = torch.from_numpy(np.tile(c.labels.astype(np.int64), repeat)).to(y.device)
    return torch.cat([x, xs]), torch.cat([y, ys]), c.ids.copy()

"""The class's drawings as one `.npz` file (numpy's zip of arrays, never pickled): what Export gives and
Import takes, and the store's own file before it moved to SQLite (read once, to migrate it).

Arrays: `ids` (N,) int64, `labels` (N,) uint8, `images` (N, 28, 28) uint8, `created` (N,) float64,
`canvas_offsets` (N + 1,) int64 into `canvas_bytes` (M,) uint8 (each drawing's canvas as a PNG), and
since the SQLite store `nicknames` (N,) unicode (optional: older files have none). Every array is
checked before anything is used: a damaged file raises CollectionError('damaged') and changes nothing.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np

from classroom.collection import MAX_DRAWINGS, MAX_FILE_BYTES, MAX_NICKNAME, Collection, CollectionError

KEYS = ("ids", "labels", "images", "created", "canvas_offsets", "canvas_bytes")


def _bad(why: str) -> CollectionError:
    return CollectionError("damaged", f"not a readable collection of drawings ({why})", why=why)


def parse(raw: bytes) -> Collection:
    """Bytes of a collection file → Collection (sessions ""), checked throughout."""
    if len(raw) > MAX_FILE_BYTES:
        raise _bad(f"{len(raw):,} bytes, more than {MAX_FILE_BYTES:,}")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:  # sizes first: a small zip may unpack to gigabytes
            if sum(i.file_size for i in z.infolist()) > MAX_FILE_BYTES:
                raise _bad("it unpacks to too much data")
        with np.load(io.BytesIO(raw), allow_pickle=False) as z:
            arrays = {k: z[k] for k in KEYS}
            nicknames = z["nicknames"] if "nicknames" in z.files else None
    except CollectionError:
        raise
    except Exception as e:  # noqa: BLE001 - zip, numpy and OS errors all mean the same here
        raise _bad(type(e).__name__ + (f": {e}" if str(e) else "")) from None
    n = len(arrays["ids"]) if arrays["ids"].ndim == 1 else -1
    if nicknames is None and n >= 0:
        nicknames = np.full(n, "", f"<U{MAX_NICKNAME}")
    c = Collection(**arrays, nicknames=nicknames, sessions=np.full(max(n, 0), "", "<U1"))
    checks = [
        (c.ids.dtype == np.int64 and n >= 0, "ids"),
        (len(np.unique(c.ids)) == n, "repeated ids"),
        (c.labels.dtype == np.uint8 and c.labels.shape == (n,) and (c.labels <= 9).all(), "labels"),
        (c.images.dtype == np.uint8 and c.images.shape == (n, 28, 28), "images"),
        (c.created.dtype == np.float64 and c.created.shape == (n,) and np.isfinite(c.created).all(), "dates"),
        (c.canvas_offsets.dtype == np.int64 and c.canvas_offsets.shape == (n + 1,), "canvas index"),
        (c.canvas_bytes.dtype == np.uint8 and c.canvas_bytes.ndim == 1, "canvas data"),
        (c.nicknames.dtype.kind == "U" and c.nicknames.shape == (n,), "nicknames"),
        (n <= MAX_DRAWINGS, f"more than {MAX_DRAWINGS} drawings"),
    ]
    for ok, what in checks:
        if not ok:
            raise _bad(what)
    off = c.canvas_offsets
    if off[0] != 0 or off[-1] != len(c.canvas_bytes) or (np.diff(off) < 0).any():
        raise _bad("canvas index")
    return c


def encode(c: Collection) -> bytes:
    """Collection → the bytes of an export file (sessions stay on this computer: they mean nothing elsewhere)."""
    buf = io.BytesIO()
    np.savez(buf, **{k: getattr(c, k) for k in KEYS}, nicknames=c.nicknames.astype(f"<U{MAX_NICKNAME}"))
    return buf.getvalue()

"""The class's drawings as arrays (`Collection`), the refusals the store raises, its caps, and the pure
selections a teacher cleans up with (by digit, time, nickname or session). No disk, no Streamlit."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

MAX_DRAWINGS = 2000                # a class of 40 saving 50 each
MAX_CANVAS_SIDE = 1200             # px; the app's canvases are at most 640 wide
MAX_CANVAS_BYTES = 200_000         # one drawing's PNG; a hand-drawn digit is a few KB
MAX_FILE_BYTES = 64 * 2**20        # the whole collection, and any file offered for import
MAX_NICKNAME = 24                  # characters: a first name or a pseudonym, never an account
SAVES_PER_WINDOW, WINDOW_S = 20, 60.0  # one browser session saves at most 20 drawings a minute


class CollectionError(ValueError):
    """A refused save, delete or import. `kind` is a stable key the app translates; `details` fill it in."""

    def __init__(self, kind: str, message: str, **details):
        self.kind, self.details = kind, details
        super().__init__(message)


@dataclass(frozen=True)
class Collection:
    ids: np.ndarray             # (N,) int64, unique: what delete refers to
    labels: np.ndarray          # (N,) uint8 in 0..9
    images: np.ndarray          # (N, 28, 28) uint8: what the models saw
    created: np.ndarray         # (N,) float64 unix time
    canvas_offsets: np.ndarray  # (N + 1,) int64: drawing i's PNG is canvas_bytes[off[i]:off[i + 1]]
    canvas_bytes: np.ndarray    # (M,) uint8: every PNG, end to end (empty when loaded without canvases)
    nicknames: np.ndarray       # (N,) str: what the student typed, "" when nothing (never required)
    sessions: np.ndarray        # (N,) str: the browser session that saved it, or "import:<sha>" of a file

    def __len__(self) -> int:
        return len(self.ids)

    def counts(self) -> np.ndarray:
        return np.bincount(self.labels, minlength=10)[:10]

    def canvas_png(self, i: int) -> bytes:
        return self.canvas_bytes[self.canvas_offsets[i]:self.canvas_offsets[i + 1]].tobytes()


def empty() -> Collection:
    return build([], [], [], [], [], [], [])


def build(ids, labels, images, created, pngs, nicknames, sessions) -> Collection:
    """A Collection from one list per field (images: 784 bytes or (28, 28) uint8 each; pngs: bytes each)."""
    n = len(ids)
    offsets = np.zeros(n + 1, np.int64)
    offsets[1:] = np.cumsum([len(p) for p in pngs], dtype=np.int64) if n else []
    pixels = b"".join(bytes(i) if isinstance(i, (bytes, bytearray, memoryview)) else np.asarray(i, np.uint8).tobytes()
                      for i in images)
    return Collection(np.asarray(ids, np.int64).reshape(n), np.asarray(labels, np.uint8).reshape(n),
                      np.frombuffer(pixels, np.uint8).reshape(n, 28, 28).copy(),
                      np.asarray(created, np.float64).reshape(n), offsets,
                      np.frombuffer(b"".join(pngs), np.uint8).copy(),
                      np.asarray(nicknames, dtype=f"<U{MAX_NICKNAME}").reshape(n),
                      np.asarray(sessions, dtype=str).reshape(n))


def clean_nickname(text) -> str:
    """What is kept of a typed nickname: letters, digits, punctuation and single spaces, at most MAX_NICKNAME
    characters. Control and format characters (newlines, right-to-left overrides) are dropped."""
    if not isinstance(text, str):
        return ""
    kept = "".join(ch if not unicodedata.category(ch).startswith(("C", "Z")) else " "
                   for ch in unicodedata.normalize("NFC", text))
    return " ".join(kept.split())[:MAX_NICKNAME]


def matching(c: Collection, *, digits=None, since: float | None = None, until: float | None = None,
             nickname: str | None = None, session: str | None = None) -> np.ndarray:
    """(N,) bool: the drawings that pass every filter given (None: not filtered). Times are unix seconds,
    both ends included. What the Explore page's bulk delete selects."""
    keep = np.ones(len(c), bool)
    if digits:
        keep &= np.isin(c.labels, np.asarray(list(digits), np.uint8))
    if since is not None:
        keep &= c.created >= since
    if until is not None:
        keep &= c.created <= until
    if nickname is not None:
        keep &= c.nicknames == nickname
    if session is not None:
        keep &= c.sessions == session
    return keep

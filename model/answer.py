"""One drawing's answer: the canvas's pixels → what the models see, each model's probabilities and the
shared judge's verdict (`answer`), or a number's digits (`number`). The Draw page computes one at every
stroke.

It is a function of its arguments (the models come by path and mtime, through a loader), so it runs the
same in the server and in a worker process. `serve` is that worker's loop (ui/models.py starts it): there
the answer does not hold the server's one GIL, which every session's page shares (issue 15). The drawing
comes through shared memory, the rest through the pipe.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import shared_memory

import numpy as np
import torch

from model import judge, pen, segment, store
from model.infer import probabilities
from model.preprocess import Preprocessed, preprocess

Checkpoints = dict[str, tuple[str, float | None]]  # slot → (folder, mtime of its weights; None: gone)
Loader = Callable[[str, float | None], torch.nn.Module]


@dataclass(frozen=True)
class Answer:
    pre: Preprocessed
    probs: dict[str, np.ndarray]  # slot → (10,) probabilities, for each model that loaded
    errors: dict[str, str]        # slot → why its model could not be used
    not_digit: bool | None        # the judge's verdict; None with nothing to judge or no judge


def answer(image: np.ndarray, checkpoints: Checkpoints, load: Loader, strokes=None) -> Answer:
    """Run it on one torch thread (a drawing is one image: a second thread only waits for a core). One digit
    is read from its pixels: `strokes` is taken, as `number` takes it, and not used."""
    pre = preprocess(image)
    if pre.empty:
        return Answer(pre, {}, {}, None)
    probs, errors = {}, {}
    for slot, (path, mtime) in checkpoints.items():
        try:
            probs[slot] = probabilities(load(path, mtime), pre.image)[0]
        except Exception as e:  # noqa: BLE001 - a broken checkpoint is that slot's message, not the page's end
            errors[slot] = str(e)
    flags = judge.not_digit(pre.image)
    return Answer(pre, probs, errors, None if flags is None else bool(flags[0]))


@dataclass(frozen=True)
class NumberAnswer:
    reading: segment.Reading | None  # None when no model could be used
    slots: list[str]                 # the slots whose models read it, in the order of `reading.probs`
    errors: dict[str, str]           # slot → why its model could not be used
    not_digit: np.ndarray | None     # the judge's verdict per piece; None with no pieces or no judge


def number(image: np.ndarray, checkpoints: Checkpoints, load: Loader,
           strokes: list[pen.Stroke] | None = None) -> NumberAnswer:
    """A drawn number: cut once for every model (model/segment.py, scored by all of them; by its strokes when
    the canvas sent them), each piece judged."""
    nets, errors = {}, {}
    for slot, (path, mtime) in checkpoints.items():
        try:
            nets[slot] = load(path, mtime)
        except Exception as e:  # noqa: BLE001 - as in `answer`
            errors[slot] = str(e)
    if not nets:
        return NumberAnswer(None, [], errors, None)
    reading = segment.read(image, lambda x: [probabilities(net, x) for net in nets.values()], strokes)
    flags = judge.not_digit(np.stack([p.image for p in reading.parts])) if reading.parts else None
    return NumberAnswer(reading, list(nets), errors, flags)


ASKS = {"digit": answer, "number": number}


class Loaded:
    """Checkpoints loaded by (path, mtime), for the server's sessions (ui/models.py) and for the worker: a
    retrained run at the same path is loaded again, and past `MAX` the oldest is dropped. A plain dict
    look-up, not st.cache_resource: it runs twice at every stroke. The lock makes one load per checkpoint,
    however many sessions ask at once."""

    MAX = 16

    def __init__(self) -> None:
        self._loaded: dict[tuple[str, float], tuple] = {}
        self._lock = threading.Lock()

    def get(self, path: str, mtime: float | None) -> tuple:
        """(model, info), as store.load; CheckpointError when the weights are gone (mtime None)."""
        if mtime is None:
            raise store.CheckpointError(f"{path}: model.safetensors is missing")
        key = (path, mtime)
        if (hit := self._loaded.get(key)) is not None:
            return hit
        with self._lock:
            if key not in self._loaded:
                if len(self._loaded) >= self.MAX:
                    self._loaded.pop(next(iter(self._loaded)))  # the oldest loaded
                self._loaded[key] = store.load(path)
            return self._loaded[key]

    def model(self, path: str, mtime: float | None) -> torch.nn.Module:
        """The `Loader` that `answer` and `number` take."""
        return self.get(path, mtime)[0]


SHARED_BYTES = 4 * 1024 * 1024  # the drawing's shared memory: a 1024 × 1024 RGBA canvas fits


def serve(conn, shared: str, checkpoints: Checkpoints) -> None:
    """The worker: warm up on `checkpoints` (the models of the stroke that started it), say "ready", then
    answer each (kind, shape, dtype, checkpoints, strokes) it receives (`ASKS[kind]`), the drawing's pixels in the
    shared memory named `shared`, until the server's end of the pipe closes. A failure is sent back as its
    text; the server then answers that stroke itself."""
    torch.set_num_threads(1)
    shm = shared_memory.SharedMemory(name=shared)  # the server's: it unlinks it
    load = Loaded().model
    dot = np.zeros((28, 28, 4), np.uint8)
    dot[10:18, 12:16, 3] = 255
    answer(dot, checkpoints, load)  # imports, loads and first calls, before its first stroke
    number(dot, checkpoints, load)
    conn.send("ready")
    while True:
        try:
            kind, shape, dtype, checkpoints, strokes = conn.recv()
        except (EOFError, OSError):  # the server is gone
            shm.close()
            return
        try:
            image = np.ndarray(shape, np.dtype(dtype), buffer=shm.buf).copy()
            conn.send(ASKS[kind](image, checkpoints, load, strokes))
        except Exception as e:  # noqa: BLE001 - reported, and the worker goes on
            conn.send(f"{type(e).__name__}: {e}")

"""Model loading for the pages: each checkpoint is loaded once per server, keyed by path and mtime."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import threading
import time
from multiprocessing import shared_memory

import numpy as np
import streamlit as st
import torch

from model import answer as answers
from model import judge, store
from model.infer import probabilities
from train import catalog
from ui import spawn
from ui.i18n import t
from ui.safe_text import plain

log = logging.getLogger(__name__)
COLORS = {"mlp": "#2563eb", "cnn": "#ea580c"}  # one colour per model family, on every page


_loaded = answers.Loaded()  # every checkpoint a session of this server asked for


def _version(entry: store.ModelEntry) -> tuple[str, float]:
    """(path, mtime of its weights): what a loaded model is cached by. OSError if the weights are gone."""
    return str(entry.path), (entry.path / "model.safetensors").stat().st_mtime


def load(entry: store.ModelEntry):
    """Cached by (path, mtime): a retrained run at the same path is picked up, nothing reloads on a rerun."""
    return _loaded.get(*_version(entry))


def versions(chosen: dict) -> tuple:
    """Which checkpoints `chosen` (slot → entry) names, as (slot, path, mtime): equal while no model changed."""
    out = []
    for slot, entry in chosen.items():
        try:
            out.append((slot, *_version(entry)))
        except OSError:  # deleted meanwhile: never equal to an earlier version
            out.append((slot, str(entry.path), None))
    return tuple(out)


def _checkpoints(chosen: dict) -> answers.Checkpoints:
    """`versions` as model/answer.py takes them: slot → (path, mtime; None when the weights are gone)."""
    return {slot: (path, mtime) for slot, path, mtime in versions(chosen)}


def entries() -> list[store.ModelEntry]:
    return catalog.list_models()


def trained_on(entry: store.ModelEntry) -> str:
    """When a run's checkpoint was written, to the minute, as in the Train page's table."""
    try:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime((entry.path / "model.safetensors").stat().st_mtime))
    except OSError:  # deleted since the list was read: the pickers still draw
        return "—"


def option(entry: store.ModelEntry) -> str:
    """A picker's option text: the name, its accuracy and (for a run) its date, not the run's folder id.
    No translated words, so switching language keeps the picks; two runs of one name differ by their date."""
    acc = f" · {entry.test_acc:.2%}" if entry.test_acc is not None else ""
    when = "" if entry.source == "shipped" else f" · {trained_on(entry)}"
    return plain(f"{entry.name}{acc}{when}")  # a bidi control in a name would reorder the accuracy


def label(entry: store.ModelEntry) -> str:
    source = t("shipped") if entry.source == "shipped" else t("run")
    acc = f" · {entry.test_acc:.2%}" if entry.test_acc is not None else ""
    return plain(f"{entry.name} ({source}{acc})")


SMALL_BATCH = 16  # a drawing, or the digits of a number

_answering = threading.Lock()


class Turn:
    """One session's turn to answer a stroke: `done()` lets the next session in, as soon as the answers
    (what a student waits for) are out; the rest of the page follows outside the turn."""

    def __init__(self):
        self._held = False

    def __enter__(self) -> Turn:
        _answering.acquire()
        self._held = True
        return self

    def done(self) -> None:
        if self._held:
            self._held = False
            _answering.release()

    def __exit__(self, *exc) -> None:
        self.done()


def one_answer_at_a_time() -> Turn:
    """Sessions compute their answers one after another, not all at once. The server holds one GIL: forty
    threads answering together take turns every few milliseconds, and the turns cost (with forty students
    drawing, the server's CPU a stroke was a sixth higher, and the answers waited longer, bench/load.py).
    Waiting for a turn costs nothing; answers come out in the order the strokes came in."""
    return Turn()


_threads = {"inside": 0, "before": None}  # torch's thread count is the process's: sessions share it
_threads_lock = threading.Lock()


@contextlib.contextmanager
def one_thread():
    """Run a few images on one thread. On a busy 2-core machine torch's second thread waits for a core:
    a drawing took 72 ms median, 264 ms p95 on two threads against 1.9 / 4.9 ms on one (issue 7).
    Sessions predict at once in one server: the first one in sets 1 thread, the last one out restores."""
    with _threads_lock:
        if _threads["inside"] == 0:
            _threads["before"] = torch.get_num_threads()
            torch.set_num_threads(1)
        _threads["inside"] += 1
    try:
        yield
    finally:
        with _threads_lock:
            _threads["inside"] -= 1
            if _threads["inside"] == 0:
                torch.set_num_threads(_threads["before"])


def predict(entry: store.ModelEntry, images: np.ndarray) -> np.ndarray:
    """(28, 28) → (10,) probabilities; (N, 28, 28) → (N, 10)."""
    model, _ = load(entry)
    small = np.ndim(images) == 2 or len(images) <= SMALL_BATCH
    with one_thread() if small else contextlib.nullcontext():
        probs = probabilities(model, images)
    return probs[0] if np.ndim(images) == 2 else probs


WORKER = "DIGITLAB_ANSWER_WORKER"  # "0": every answer in the server's own process
WORKER_WAIT_S = 2.0   # longer than this and the worker is taken for stuck: replaced, and the server answers
WORKER_BUSY_S = 0.05  # busy longer than this with another session's drawing: the server answers this one
WORKER_BACKOFF_S = 60  # after a worker failed, the server answers alone this long before starting another


class _Worker:
    """One process that answers strokes (`model.answer.serve`). The drawing goes through shared memory and
    only a short message through the pipe, so a send never waits on the worker (a 280 × 280 RGBA drawing
    is five times what a pipe holds: the two processes would take turns to move it). Spawned
    (ui/spawn.py); daemonic, so it ends with the server, and its loop ends when the server's end of the
    pipe closes."""

    def __init__(self, checkpoints: answers.Checkpoints):
        self.shm = shared_memory.SharedMemory(create=True, size=answers.SHARED_BYTES)
        self.conn, child = spawn.CONTEXT.Pipe()
        self.proc = spawn.CONTEXT.Process(target=answers.serve, args=(child, self.shm.name, checkpoints),
                                          daemon=True, name="digitlab-answers")
        with spawn.bare_main():
            self.proc.start()
        child.close()
        self.ready = False
        atexit.register(self.stop)  # the shared memory outlives no server that ends normally

    def ask(self, kind: str, image: np.ndarray, checkpoints: answers.Checkpoints, strokes=None):
        """The worker's answer; None while it warms up, or for an image larger than the shared memory (a
        photo: the server answers it). OSError, EOFError or TimeoutError when the worker failed."""
        if not self.ready:
            if not self.conn.poll(0):
                return None
            self.ready = self.conn.recv() == "ready"
        image = np.ascontiguousarray(image)
        if image.nbytes > self.shm.size:
            return None
        np.ndarray(image.shape, image.dtype, buffer=self.shm.buf)[...] = image
        self.conn.send((kind, image.shape, image.dtype.str, checkpoints, strokes))
        if not self.conn.poll(WORKER_WAIT_S):
            raise TimeoutError(f"no answer in {WORKER_WAIT_S} s")
        reply = self.conn.recv()
        if isinstance(reply, str):
            raise OSError(reply)  # it failed on this drawing; the server tries it too, and shows what happens
        return reply

    def stop(self) -> None:
        if self.conn.closed:
            return
        self.proc.kill()
        self.proc.join(10)
        self.conn.close()
        self.shm.close()
        self.shm.unlink()
        atexit.unregister(self.stop)


_worker: dict = {"now": None, "failed_at": -WORKER_BACKOFF_S}
_worker_lock = threading.Lock()


def _current(checkpoints: answers.Checkpoints) -> _Worker | None:
    """The worker, started if there is none (and none failed lately); call under `_worker_lock`."""
    if os.environ.get(WORKER, "1") == "0":
        return None
    if _worker["now"] is None and time.monotonic() - _worker["failed_at"] >= WORKER_BACKOFF_S:
        _worker["now"] = _Worker(checkpoints)
    return _worker["now"]


def start_worker(chosen: dict) -> None:
    """Warm the answer worker on `chosen`'s models before the first stroke (the Draw page opening calls it)."""
    with _worker_lock:
        try:
            _current(_checkpoints(chosen))
        except OSError as e:  # no shared memory or no process to be had: the server answers alone
            log.warning("no answer worker (%s); the server answers alone for %d s", e, WORKER_BACKOFF_S)
            _worker["failed_at"] = time.monotonic()


def _ask(kind: str, image: np.ndarray, chosen: dict, strokes=None):
    """`model.answer.ASKS[kind]` on `image`: in the worker process when it is warm and free, so that the
    server's GIL stays free for the other sessions' pages; here, on one thread, when it is not (a long
    number being read there does not make the other sessions' strokes wait for it)."""
    checkpoints = _checkpoints(chosen)
    if _worker_lock.acquire(timeout=WORKER_BUSY_S):  # one conversation on the pipe at a time
        w = None
        try:
            w = _current(checkpoints)
            if w is not None and (got := w.ask(kind, image, checkpoints, strokes)) is not None:
                return got
        except (OSError, EOFError, TimeoutError) as e:  # it died, hung or failed on this drawing; or no start
            log.warning("the answer worker failed (%s); the server answers alone for %d s", e, WORKER_BACKOFF_S)
            if w is not None:
                w.stop()
            _worker.update(now=None, failed_at=time.monotonic())
        finally:
            _worker_lock.release()
    with one_thread():
        return answers.ASKS[kind](image, checkpoints, _loaded.model, strokes)


def answer(image: np.ndarray, chosen: dict) -> answers.Answer:
    """A drawing's whole answer (model/answer.py `answer`)."""
    return _ask("digit", image, chosen)


def read_number(image: np.ndarray, chosen: dict, strokes=None) -> answers.NumberAnswer:
    """A drawn number's digits, each model's reading of them and the judge's verdict per piece; the canvas's
    strokes (model/pen.py), when given, part touching digits."""
    return _ask("number", image, chosen, strokes)


def not_digit(images: np.ndarray) -> np.ndarray | None:
    """The shared judge (model/judge.py) on (N, 28, 28) inputs or one (28, 28): (N,) bool, True where the
    mark does not look like a digit; None when no judge is installed (logged once, the page goes on).
    One thread, as `predict`: a drawing or the digits of a number are a few images."""
    with one_thread():
        return judge.not_digit(images)


@st.cache_resource(show_spinner=False)
def mnist():
    """The dataset, once per server (55 MB of uint8)."""
    from train.data import load_mnist  # the Explore page needs the data; the Draw page does not
    return load_mnist()


@st.cache_data(show_spinner=False, max_entries=8)
def _test_probs(path: str, mtime: float) -> np.ndarray:
    model, _ = _loaded.get(path, mtime)
    return probabilities(model, mnist().x_test / np.float32(255))


def test_set_probs(entry: store.ModelEntry) -> np.ndarray:
    """(10000, 10) probabilities of a model on the MNIST test set, computed once per checkpoint."""
    return _test_probs(str(entry.path), (entry.path / "model.safetensors").stat().st_mtime)

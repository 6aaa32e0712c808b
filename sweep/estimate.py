"""How long a sweep would take on this machine, projected from a few timed steps: an estimate.

For each depth, the pieces of least and most work are built and timed for a few SGD steps at the
sweep's batch size (and one scoring pass of a few hundred images); every other piece's time is
interpolated from its work (multiply-adds per image). As `bench/sweep.py --project` does for the
whole study, but small enough for a page: the timings are cached, so a form redrawn with the same
shapes measures nothing again. Before a sweep starts, the Sweep page shows the projection, labelled
an estimate; a running sweep's own progress then takes over.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from functools import lru_cache

import numpy as np
import torch

from jobs import background
from model.batched_mlp import BatchedMLP
from sweep.config import SweepConfig
from sweep.core import loss_fn, pieces
from train.engine import TrainingError, resolve_device

WARMUP, STEPS, EVAL_IMAGES = 2, 8, 500
TRAIN_IMAGES, VAL_IMAGES, TEST_IMAGES = 60_000, 10_000, 10_000


def work(k: int, widths: tuple[int, ...]) -> int:
    """Multiply-adds per image of a piece: layer 1 over every unit, then each model padded to the widest."""
    n, top = len(widths), max(widths)
    return 784 * sum(widths) + (k - 1) * n * top * top + 10 * n * top


_lock = threading.Lock()


@contextlib.contextmanager
def job_threads():
    """Time on as many torch threads as the sweep's job will have (jobs/background.py): on a busy
    2-core machine, steps on 2 threads measured several times slower than on the job's 1. Torch's
    count is the process's, so it is put back at once (a drawing meanwhile may run on that count)."""
    want = int(os.environ.get(background.THREADS) or 0)
    with _lock:
        before = torch.get_num_threads()
        if want > 0:
            torch.set_num_threads(want)
        try:
            yield
        finally:
            torch.set_num_threads(before)


@lru_cache(maxsize=512)
def timed(backend: str, device: str, activation: str, batch: int, k: int,
          widths: tuple[int, ...]) -> tuple[float, float]:
    """(seconds per SGD step, seconds per scored image) of one piece, measured here."""
    with job_threads():
        return _timed(backend, device, activation, batch, k, widths)


def _timed(backend: str, device: str, activation: str, batch: int, k: int, widths: tuple[int, ...]):
    g = torch.Generator().manual_seed(0)
    x = torch.rand(max(batch, EVAL_IMAGES), 784, generator=g)
    y = torch.randint(0, 10, (len(x),), generator=g)
    if backend == "numpy":
        return _timed_numpy(k, widths, batch, x.numpy(), y.numpy())
    dev = torch.device(device)
    x, y = x.to(dev), y.to(dev)
    model = BatchedMLP(list(widths), k, activation, seed=0).to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    for i in range(WARMUP + STEPS):
        if i == WARMUP:
            sync()
            t0 = time.perf_counter()
        loss = loss_fn(model(x[:batch]), y[:batch])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    sync()
    step_s = (time.perf_counter() - t0) / STEPS
    t0 = time.perf_counter()
    with torch.inference_mode():
        model(x[:EVAL_IMAGES]).argmax(2).sum().item()  # .item() waits for the device
    return step_s, (time.perf_counter() - t0) / EVAL_IMAGES


def _timed_numpy(k: int, widths: tuple[int, ...], batch: int, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    from model import numpy_mlp
    nets = [numpy_mlp.NumpyMLP((784, *[m] * k, 10), seed=m) for m in widths]
    targets = numpy_mlp.one_hot(y)
    t0 = time.perf_counter()
    for _ in range(STEPS):
        for net in nets:
            net.step(x[:batch], targets[:batch], 0.1, 0.0, len(x))
    step_s = (time.perf_counter() - t0) / STEPS
    t0 = time.perf_counter()
    for net in nets:
        net.predict(x[:EVAL_IMAGES])
    return step_s, (time.perf_counter() - t0) / EVAL_IMAGES


def projected_seconds(cfg: SweepConfig) -> float | None:
    """The sweep's wall time on this machine, projected from timed steps; None when its device is not here."""
    try:
        dev = "cpu" if cfg.backend == "numpy" else str(resolve_device(cfg.device))
    except TrainingError:
        return None
    todo = pieces(cfg)
    val = VAL_IMAGES if cfg.protocol == "seed004" else 0
    n_train = min(cfg.subset, TRAIN_IMAGES - val) if cfg.subset else TRAIN_IMAGES - val
    steps = -(-n_train // cfg.batch_size)
    scored = val + TEST_IMAGES  # per epoch: validation, and the test set (seed 004: when validation improves)
    total = 0.0
    for k in cfg.ks:
        mine = sorted((work(k, w), w) for kk, w in todo if kk == k)
        ends = [mine[0], mine[-1]] if len(mine) > 1 else mine[:1]  # the least and the most work of this depth
        measured = [(w, timed(cfg.backend, dev, cfg.activation, cfg.batch_size, k, widths)) for w, widths in ends]
        for w, _ in mine:
            step_s, image_s = _between(measured, w)
            total += cfg.epochs * (steps * step_s + scored * image_s)
    return total


def _between(measured: list[tuple[int, tuple[float, float]]], w: int) -> tuple[float, float]:
    """The timings of a piece of work `w`, interpolated between (or scaled from) the measured pieces."""
    (w0, (s0, i0)), (w1, (s1, i1)) = measured[0], measured[-1]
    if w1 == w0:  # one piece of this depth, or all of the same work
        return s0, i0
    f = (w - w0) / (w1 - w0)
    return max(s0 + f * (s1 - s0), 0.0), max(i0 + f * (i1 - i0), 0.0)

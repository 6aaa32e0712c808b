"""Seed 004's sweep, made fast: a grid of MLP shapes trained together as one batched model.

The author trained one [784, m…, 10] net per m, could afford 2 epochs each, and the sweep froze at
m = 297. Here the widths of one depth k live in one module: layer 1 is one wide matrix (every
model's hidden units side by side), deeper layers are block-diagonal (each model sees only its own
units), and the summed loss gives each model exactly its own gradient, since no parameter is
shared. One step trains a whole slice of the grid's row, and per-step overhead is paid once.

The grid is cut into pieces: one depth k and a run of consecutive widths whose units add up to at
most `max_units` (so the block-diagonal matrices stay small). A piece is a pure function of the
config, which is what lets sweep/cluster.py send pieces to a Ray cluster and get the same numbers.
`sweep` takes a runner that trains the pieces (here, or on Ray): this module never imports Ray.
The config and its parsing are sweep/config.py.

    python -m sweep --k 1,2 --m 10:300:10 --epochs 2 [--out RUN] [--backend numpy] [--ray auto]
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import numpy as np
import torch
import torch.nn.functional as F

from model.batched_mlp import BatchedMLP
from sweep.config import SweepConfig
from train.data import MNIST, load_mnist
from train.engine import device_name, prepare_data, resolve_device

# A runner trains the pieces and yields each piece's rows as it finishes:
# runner(cfg, pieces, data, on_event, should_stop). `local` (below) trains them here, one after the
# other; sweep/cluster.py makes one that sends them to Ray, so this module never imports Ray.
Runner = Callable[..., Iterator[list[dict]]]


def pieces(cfg: SweepConfig) -> list[tuple[int, tuple[int, ...]]]:
    """The grid cut into (k, widths) pieces of at most cfg.max_units hidden units per layer each."""
    out = []
    for k in cfg.ks:
        chunk: list[int] = []
        for m in cfg.ms:
            if chunk and sum(chunk) + m > cfg.max_units:
                out.append((k, tuple(chunk)))
                chunk = []
            chunk.append(m)
        if chunk:
            out.append((k, tuple(chunk)))
    return out


def loss_fn(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Sum over models of each model's mean cross-entropy: each gets exactly its own gradient."""
    n = logits.shape[1]
    return F.cross_entropy(logits.reshape(-1, 10), y.repeat_interleave(n), reduction="sum") / len(y)


@torch.inference_mode()
def accuracies(model: BatchedMLP, x: torch.Tensor, y: torch.Tensor, batch: int = 5000) -> np.ndarray:
    correct = torch.zeros(len(model.widths), device=x.device)
    for i in range(0, len(x), batch):
        correct += (model(x[i:i + batch]).argmax(2) == y[i:i + batch, None]).sum(0)
    return (correct / max(len(x), 1)).cpu().numpy()


class Stopped(Exception):
    """A stop request ended a piece between two steps."""


def flat_splits(cfg: SweepConfig, dev: torch.device, data: MNIST | None = None):
    """(x_train, y_train, x_val, y_val, x_test, y_test) as (N, 784) floats in [0, 1] and int64 labels."""
    d = prepare_data(data or load_mnist(), dev, val_size=10_000 if cfg.protocol == "seed004" else 0,
                     seed=cfg.seed, subset=cfg.subset)
    flat = lambda x: x.reshape(len(x), -1).float() / 255  # noqa: E731 - (N, 28, 28) uint8 → (N, 784)
    return flat(d.x_train), d.y_train, flat(d.x_val), d.y_val, flat(d.x_test), d.y_test


def train_piece(cfg: SweepConfig, k: int, widths: tuple[int, ...], data: MNIST | None = None,
                on_epoch: Callable[[dict], None] | None = None,
                should_stop: Callable[[], bool] | None = None) -> list[dict]:
    """Train one piece of the grid with seed 004's protocol; one result row per width.

    Deterministic in (cfg, k, widths): a Ray worker and this process get the same numbers."""
    run = _piece_numpy if cfg.backend == "numpy" else _piece_torch
    should_stop = should_stop or (lambda: False)
    t0, best, test, best_epoch, curves = time.perf_counter(), None, None, None, []
    epochs = run(cfg, k, widths, data, should_stop)
    while True:
        try:
            epoch, val, scorer = next(epochs)
        except StopIteration:
            break
        except Stopped:
            if not curves:
                raise
            break  # stopped within a later epoch: the rows of the epochs done are kept
        curves.append(val)
        improved = val > best if best is not None else np.ones(len(widths), bool)
        if cfg.protocol == "plain" or improved.any():  # seed 004: test only the models that improved
            t = scorer()
            test = t if test is None else np.where(improved, t, test)
        best = val if best is None else np.maximum(best, val)
        best_epoch = np.full(len(widths), epoch) if best_epoch is None else np.where(improved, epoch, best_epoch)
        if on_epoch:
            on_epoch({"kind": "epoch", "k": k, "widths": list(widths), "epoch": epoch,
                      "val": [float(v) for v in val], "seconds": time.perf_counter() - t0})
    seconds = time.perf_counter() - t0
    return [{"k": k, "m": m, "val_acc": float(best[j]) if cfg.protocol == "seed004" else None,
             "test_acc": float(test[j]), "best_epoch": int(best_epoch[j]), "epochs": len(curves),
             "curve": [float(c[j]) for c in curves], "seconds": seconds / len(widths)}
            for j, m in enumerate(widths)]


def _piece_torch(cfg: SweepConfig, k: int, widths, data, should_stop) -> Iterator:
    """Yields (epoch, validation accuracies (n,), a function giving test accuracies) after each epoch.
    Under the plain protocol there is no validation set, and the test set stands in for it."""
    dev = resolve_device(cfg.device)
    x_tr, y_tr, x_va, y_va, x_te, y_te = flat_splits(cfg, dev, data)
    model = BatchedMLP(list(widths), k, cfg.activation, seed=cfg.seed).to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, weight_decay=cfg.l2)
    gen = torch.Generator().manual_seed(cfg.seed)
    for epoch in range(1, cfg.epochs + 1):
        perm = torch.randperm(len(x_tr), generator=gen).to(dev)
        for i in range(0, len(x_tr), cfg.batch_size):
            idx = perm[i:i + cfg.batch_size]
            loss = loss_fn(model(x_tr[idx]), y_tr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if should_stop():
                raise Stopped
        scorer = lambda: accuracies(model, x_te, y_te)  # noqa: E731
        yield epoch, (accuracies(model, x_va, y_va) if len(x_va) else scorer()), scorer


def _piece_numpy(cfg: SweepConfig, k: int, widths, data, should_stop) -> Iterator:
    """The NumPy twin (model/numpy_mlp.py), one model per width, all stepped through the same epochs."""
    from model import numpy_mlp
    x_tr, y_tr, x_va, y_va, x_te, y_te = (t.numpy() for t in flat_splits(cfg, torch.device("cpu"), data))
    nets = [numpy_mlp.NumpyMLP((784, *[m] * k, 10), seed=cfg.seed * 1_000_000 + k * 10_000 + m) for m in widths]
    targets, n = numpy_mlp.one_hot(y_tr), len(x_tr)
    rng = np.random.default_rng(cfg.seed)
    acc = lambda x, y: np.array([(net.predict(x) == y).mean() for net in nets])  # noqa: E731
    for epoch in range(1, cfg.epochs + 1):
        perm = rng.permutation(n)
        for i in range(0, n, cfg.batch_size):
            idx = perm[i:i + cfg.batch_size]
            xb, tb = x_tr[idx], targets[idx]
            for net in nets:
                net.step(xb, tb, cfg.lr, cfg.l2, n)
            if should_stop():
                raise Stopped
        scorer = lambda: acc(x_te, y_te)  # noqa: E731
        yield epoch, (acc(x_va, y_va) if len(x_va) else scorer()), scorer


def local(cfg: SweepConfig, todo: list[tuple[int, tuple[int, ...]]], data: MNIST | None,
          on_event: Callable[[dict], None], should_stop: Callable[[], bool]) -> Iterator[list[dict]]:
    """The runner that trains every piece here, one after the other (with epoch events)."""
    data = data or load_mnist()
    for k, widths in todo:
        yield train_piece(cfg, k, widths, data, on_event, should_stop)


local.where = "local"  # what the start event says about a runner


def sweep(cfg: SweepConfig, on_event: Callable[[dict], None] | None = None,
          should_stop: Callable[[], bool] | None = None, runner: Runner | None = None,
          data: MNIST | None = None) -> list[dict]:
    """Every piece of the grid through `runner` (default: `local`; sweep.cluster.runner for Ray); events:
    start, epoch (a piece's validation accuracies, local only), row (one finished cell), end."""
    emit = on_event or (lambda e: None)
    should_stop = should_stop or (lambda: False)
    runner = runner or local
    todo, rows, t0 = pieces(cfg), [], time.perf_counter()
    dev = resolve_device(cfg.device) if cfg.backend == "torch" else torch.device("cpu")
    emit({"kind": "start", "cells": len(cfg.ks) * len(cfg.ms), "pieces": len(todo), "device": device_name(dev),
          "where": getattr(runner, "where", "local")})
    stopped = False
    try:
        for piece_rows in runner(cfg, todo, data, emit, should_stop):
            for row in piece_rows:
                rows.append(row)
                emit({"kind": "row", **row, "elapsed_s": time.perf_counter() - t0})
            if should_stop():
                raise Stopped
    except Stopped:
        stopped = True
    best = best_row(rows, cfg.protocol)
    emit({"kind": "end", "stopped": stopped, "cells_done": len(rows), "seconds": time.perf_counter() - t0,
          "best": best})
    return rows


def best_row(rows: list[dict], protocol: str = "seed004") -> dict | None:
    """The cell with the best validation accuracy (the test accuracy under the plain protocol)."""
    key = "val_acc" if protocol == "seed004" else "test_acc"
    return max(rows, key=lambda r: (r[key], -r["k"], -r["m"])) if rows else None



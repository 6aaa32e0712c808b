"""Seed 004's timing, redone: the article's NumPy code against ours (model/numpy_mlp.py) and PyTorch.

`ArticleNetwork` below is the article's algorithm, kept faithfully as the baseline: column vectors,
float64, a mini-batch assembled image by image, its own cross-entropy derivative with the L2 term
folded into the output delta, and an evaluation that feeds the images one at a time. Both NumPy
versions train [784, m, 10] with η 1.3, λ 0.1, batch 10 on the same 50k/10k/10k split, in this one
process, with seed 004's protocol (test scored only when validation improves).

The article reported NumPy (η 1.3, λ 0.1) 94.3% in 79 s and PyTorch (lr 0.01, L2 1e-4) 93.17% in
171 s, for 30 epochs on the author's laptop.

    python bench/seed004.py [--epochs 2] [--m 30] [--blas-threads=1] [--blas-core=SkylakeX] [--no-torch] [--split]

OpenBLAS picks its kernels from the CPU model; a virtual machine that hides the model gets its
generic AVX2 ("Haswell") kernels even on an AVX-512 CPU. The first line printed names the kernels in
use; --blas-core=NAME (OpenBLAS's OPENBLAS_CORETYPE) chooses them, for both versions alike.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

if __name__ == "__main__":  # BLAS reads its thread count once, at import: tiny matrices want 1 thread
    _threads = next((a.split("=")[1] for a in sys.argv if a.startswith("--blas-threads=")), "1")
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, _threads)
    _core = next((a.split("=")[1] for a in sys.argv if a.startswith("--blas-core=")), None)
    if _core:
        os.environ["OPENBLAS_CORETYPE"] = _core

import dataclasses  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model import numpy_mlp  # noqa: E402
from train.data import load_mnist, split  # noqa: E402


class ArticleNetwork:
    """The article's Network class (its network.py), with its names; only printing is left out."""

    def __init__(self, sizes, seed=0):
        rng = np.random.default_rng(seed)
        self.num_layers, self.sizes, self.lmbda = len(sizes), sizes, 0.1
        self.biases = [rng.standard_normal((y, 1)) for y in sizes[1:]]
        self.weights = [rng.standard_normal((y, x)) for x, y in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = article_sigmoid(np.dot(w, a) + b)
        return a

    def train_epoch(self, training_data, mini_batch_size, eta, rng):
        rng.shuffle(training_data)
        for k in range(0, len(training_data), mini_batch_size):
            self.update_mini_batch(training_data[k:k + mini_batch_size], eta)

    def update_mini_batch(self, mini_batch, eta):
        m = len(mini_batch)
        x_matrix, y_matrix = np.zeros((784, m)), np.zeros((10, m))
        for i in range(m):  # the batch is assembled one image at a time
            x_matrix[:, i] = mini_batch[i][0].flatten()
            y_matrix[:, i] = mini_batch[i][1].flatten()
        self.backprop_matrix(x_matrix, y_matrix, m, eta)

    def backprop_matrix(self, x, y, m, eta):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation, activations, zs = x, [x], []
        for w, b in zip(self.weights, self.biases):
            z = np.dot(w, activation) + b
            activation = article_sigmoid(z)
            zs.append(z)
            activations.append(activation)
        delta = (self.cross_entropy_cost_derivative(activations[-1], y)
                 + self.L2_regularization(self.weights[-1], m)) * sigmoid_prime(zs[-1])
        nabla_b[-1] = np.array([np.mean(delta, axis=1)]).transpose()
        nabla_w[-1] = np.dot(delta, activations[-2].transpose()) / m
        for layer in range(2, self.num_layers):
            delta = np.dot(self.weights[-layer + 1].transpose(), delta) * sigmoid_prime(zs[-layer])
            nabla_b[-layer] = np.array([np.mean(delta, axis=1)]).transpose()
            nabla_w[-layer] = np.dot(delta, activations[-layer - 1].transpose()) / m
        for layer in range(1, self.num_layers):
            self.biases[-layer] = self.biases[-layer] - eta * nabla_b[-layer]
            self.weights[-layer] = self.weights[-layer] - eta * nabla_w[-layer]

    def evaluate(self, test_data):
        return sum(int(np.argmax(self.feedforward(x)) == y) for x, y in test_data)

    def L2_regularization(self, weights, m):  # noqa: N802 - the article's name
        return (self.lmbda / (m * 2)) * np.sum(np.square(weights))

    def cross_entropy_cost_derivative(self, a, y):
        return -y / (a + 1e-7)


def article_sigmoid(z):
    if np.all(z >= 0):
        return 1.0 / (1.0 + np.exp(-z))
    return np.exp(z) / (1 + np.exp(z))


def sigmoid_prime(z):
    return article_sigmoid(z) * (1 - article_sigmoid(z))


def protocol(train_epoch, accuracy_val, accuracy_test, epochs):
    """Seed 004's loop: train, score validation, score test only when validation improves.
    Returns (seconds training, seconds scoring, best val, test at best val, [(seconds so far, val)]
    per epoch)."""
    train_s = score_s = 0.0
    best_val, test, curve = -1.0, None, []
    for _ in range(epochs):
        t = time.perf_counter()
        train_epoch()
        t2 = time.perf_counter()
        val = accuracy_val()
        if val > best_val:
            best_val, test = val, accuracy_test()
        train_s, score_s = train_s + t2 - t, score_s + time.perf_counter() - t2
        curve.append((train_s + score_s, val))
    return train_s, score_s, best_val, test, curve


def openblas_core() -> str:
    """The kernels NumPy's OpenBLAS chose ("Haswell", "SkylakeX", …), or "unknown"."""
    import ctypes
    libs = Path(np.__file__).parent.parent / "numpy.libs"
    for so in sorted(libs.glob("*openblas*")):
        for name in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename"):
            try:
                fn = getattr(ctypes.CDLL(str(so)), name)
            except (OSError, AttributeError):
                continue
            fn.restype = ctypes.c_char_p
            return fn().decode()
    return "unknown"


def per_call_us(fn, calls: int = 5000) -> float:
    fn()
    t = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - t) / calls * 1e6


def step_split(art, art_train, net, x_tr, targets) -> None:
    """Microseconds per step: the article's, ours, and the floor of ours (its two 784-wide matrix
    products and the gather of ten random images from the 157 MB training array), which bounds
    the speed-up any rewriting of the Python around them can give."""
    rng = np.random.default_rng(1)
    batch = art_train[:10]
    xb, tb = x_tr[:10].copy(), targets[:10].copy()
    w, delta, a1 = net.weights[0], np.ones((net.sizes[1], 10), np.float32), np.empty((net.sizes[1], 10), np.float32)
    grad = np.empty_like(w)
    with np.errstate(over="ignore"):
        art_us = per_call_us(lambda: art.update_mini_batch(batch, 1.3))
    ours_us = per_call_us(lambda: net.step(xb, tb, 1.3, 0.1, len(x_tr)))
    products_us = per_call_us(lambda: (np.dot(w, xb.T, out=a1), np.dot(delta, xb, out=grad)))
    it = iter([rng.integers(0, len(x_tr), 10) for _ in range(5001)])  # a new random batch each call

    def gather():
        idx = next(it)
        np.take(x_tr, idx, axis=0, out=xb), np.take(targets, idx, axis=0, out=tb)
    gather_us = per_call_us(gather)
    floor = products_us + gather_us
    print(f"one step: article {art_us:.1f} µs, ours {ours_us:.1f} µs + gather {gather_us:.1f} µs; "
          f"of ours, the two 784-wide products {products_us:.1f} µs and the gather are a floor of {floor:.1f} µs: "
          f"no rewrite of the rest passes {art_us / floor:.1f}× per step")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--m", type=int, default=30, help="hidden units")
    p.add_argument("--blas-threads", default="1", help="BLAS threads for both NumPy versions (read at start)")
    p.add_argument("--blas-core", default=None, help="OpenBLAS kernels for both (OPENBLAS_CORETYPE, read at start)")
    p.add_argument("--no-torch", action="store_true", help="skip the PyTorch line")
    p.add_argument("--split", action="store_true",
                   help="also time one step of each and the parts of ours that no Python can remove")
    a = p.parse_args(argv)
    data = load_mnist()
    sp = split(60_000, 10_000, seed=0)  # the preset's own split: 50k train / 10k validation
    flat = lambda x: x.reshape(len(x), -1).astype(np.float32) / 255  # noqa: E731
    x_tr, y_tr = flat(data.x_train[sp.train]), data.y_train[sp.train]
    x_va, y_va = flat(data.x_train[sp.val]), data.y_train[sp.val]
    x_te, y_te = flat(data.x_test), data.y_test
    print(f"[784,{a.m},10], η 1.3, λ 0.1, batch 10, {a.epochs} epoch(s), 50k/10k/10k; "
          f"BLAS threads {os.environ.get('OPENBLAS_NUM_THREADS', 'default')}, OpenBLAS kernels {openblas_core()}")

    # the article's data layout: lists of (784, 1) columns, one-hot (10, 1) targets for training
    eye = np.eye(10)
    art_train = [(x.reshape(784, 1), eye[y].reshape(10, 1)) for x, y in zip(x_tr, y_tr)]
    art_val = [(x.reshape(784, 1), int(y)) for x, y in zip(x_va, y_va)]
    art_test = [(x.reshape(784, 1), int(y)) for x, y in zip(x_te, y_te)]
    art, shuffler = ArticleNetwork([784, a.m, 10]), random.Random(0)
    with np.errstate(over="ignore"):  # the article's sigmoid overflows now and then, as it did there
        art_r = protocol(lambda: art.train_epoch(art_train, 10, 1.3, shuffler),
                         lambda: art.evaluate(art_val) / len(art_val), lambda: art.evaluate(art_test) / len(art_test),
                         a.epochs)

    net, rng = numpy_mlp.NumpyMLP((784, a.m, 10)), np.random.default_rng(0)
    ours_r = protocol(lambda: numpy_mlp.train(net, x_tr, y_tr, x_va[:1], y_va[:1], epochs=1,
                                              seed=int(rng.integers(1 << 31))),
                      lambda: float((net.predict(x_va) == y_va).mean()),
                      lambda: float((net.predict(x_te) == y_te).mean()), a.epochs)
    for name, (tr_s, sc_s, val, test, _) in (("article NumPy", art_r), ("our NumPy    ", ours_r)):
        print(f"{name}: train {tr_s / a.epochs:.2f} s/epoch, scoring {sc_s / a.epochs:.2f} s/epoch; "
              f"best val {val:.2%}, test at best val {test:.2%}")
    print(f"speed-up of ours: training {art_r[0] / ours_r[0]:.1f}×, training + scoring "
          f"{(art_r[0] + art_r[1]) / (ours_r[0] + ours_r[1]):.1f}×")
    # a second measure, not the per-epoch one above: seconds (training + scoring) until a validation
    # accuracy at least the article's best of this run, counted from the start of each run
    goal, art_s = art_r[2], next(s for s, v in art_r[4] if v >= art_r[2])
    ours_s = next((s for s, v in ours_r[4] if v >= goal), None)
    if ours_s is None:
        print(f"to the article's best validation accuracy ({goal:.2%}): ours did not reach it in {a.epochs} epoch(s)")
    else:
        print(f"to the article's best validation accuracy ({goal:.2%}): article {art_s:.2f} s, ours {ours_s:.2f} s "
              f"({art_s / ours_s:.1f}×)")

    if a.split:
        step_split(art, art_train, net, x_tr, numpy_mlp.one_hot(y_tr))

    if not a.no_torch:
        import torch

        from model.presets import get
        from train.engine import train
        cfg = dataclasses.replace(get("seed004-mlp", k=1, m=a.m).train, epochs=a.epochs, device="cpu")
        epochs = []
        r = train(cfg, on_event=lambda e: epochs.append(e) if e["kind"] == "epoch" else None, data=data)
        secs = epochs[-1]["train_s"]
        print(f"PyTorch [784,{a.m},10] lr 0.01, L2 1e-4, batch 10: {secs / a.epochs:.2f} s/epoch training, "
              f"val {r.metrics['val_acc']:.2%}, test {r.metrics['test_acc']:.2%} (torch threads "
              f"{torch.get_num_threads()})")
    print("article (30 epochs, author's laptop): NumPy 94.3% in 79 s; PyTorch 93.17% in 171 s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

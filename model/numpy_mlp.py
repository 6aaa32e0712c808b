"""Seed 004's NumPy MLP, vectorised: sigmoid layers, cross-entropy on sigmoid outputs, L2, plain SGD.

The article's own version loops over each image of a mini-batch and folds the L2 term into the
output delta; this one keeps its model ([784, m…, 10] sigmoid, cross-entropy, λ = 0.1, η = 1.3,
batch 10) with textbook gradients, and tests check them against PyTorch autograd. It exists to time
NumPy against PyTorch as the article did (bench/seed004.py), not to serve the app.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    # exp of a large negative number overflows; split by sign so neither branch does
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1 + ez)
    return out


@dataclass
class NumpyMLP:
    sizes: tuple[int, ...]                  # layer widths, e.g. (784, 30, 10)
    seed: int = 0
    weights: list[np.ndarray] = field(init=False)   # (in, out) per layer
    biases: list[np.ndarray] = field(init=False)    # (out,) per layer

    def __post_init__(self):
        rng = np.random.default_rng(self.seed)
        # N(0, 1/fan_in): keeps sigmoid inputs out of saturation at the start (Nielsen's network2)
        self.weights = [rng.standard_normal((a, b)).astype(np.float32) / np.sqrt(a)
                        for a, b in zip(self.sizes[:-1], self.sizes[1:])]
        self.biases = [rng.standard_normal(b).astype(np.float32) for b in self.sizes[1:]]

    def forward(self, x: np.ndarray) -> list[np.ndarray]:
        """Activations of every layer for x (B, 784) in [0, 1]; the last is (B, 10) in (0, 1)."""
        acts = [x]
        for w, b in zip(self.weights, self.biases):
            acts.append(sigmoid(acts[-1] @ w + b))
        return acts

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)[-1].argmax(1)

    def gradients(self, x: np.ndarray, y: np.ndarray, lmbda: float, n: int):
        """Gradients of mean cross-entropy + (λ / 2n)·Σw² over the batch (y: (B,) labels)."""
        acts = self.forward(x)
        target = np.eye(self.sizes[-1], dtype=np.float32)[y]
        delta = (acts[-1] - target) / len(x)  # cross-entropy on a sigmoid: σ' cancels out
        grads_w, grads_b = [], []
        for layer in range(len(self.weights) - 1, -1, -1):
            grads_w.append(acts[layer].T @ delta + (lmbda / n) * self.weights[layer])
            grads_b.append(delta.sum(0))
            if layer:
                a = acts[layer]
                delta = (delta @ self.weights[layer].T) * a * (1 - a)
        return grads_w[::-1], grads_b[::-1]

    def cost(self, x: np.ndarray, y: np.ndarray, lmbda: float, n: int) -> float:
        a = np.clip(self.forward(x)[-1], 1e-7, 1 - 1e-7)
        t = np.eye(self.sizes[-1], dtype=np.float32)[y]
        ce = -(t * np.log(a) + (1 - t) * np.log(1 - a)).sum(1).mean()
        return float(ce + lmbda / (2 * n) * sum((w ** 2).sum() for w in self.weights))

    def step(self, x, y, eta: float, lmbda: float, n: int) -> None:
        gw, gb = self.gradients(x, y, lmbda, n)
        for i in range(len(self.weights)):
            self.weights[i] -= eta * gw[i]
            self.biases[i] -= eta * gb[i]


def train(net: NumpyMLP, x_train, y_train, x_val, y_val, epochs: int = 1, batch: int = 10, eta: float = 1.3,
          lmbda: float = 0.1, seed: int = 0, on_epoch=None) -> list[dict]:
    """Plain mini-batch SGD; inputs are (N, 784) float32 in [0, 1]. Returns one dict per epoch."""
    rng = np.random.default_rng(seed)
    n, history, t0 = len(x_train), [], time.perf_counter()
    for epoch in range(epochs):
        perm = rng.permutation(n)
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            net.step(x_train[idx], y_train[idx], eta, lmbda, n)
        ev = {"epoch": epoch + 1, "val_acc": float((net.predict(x_val) == y_val).mean()),
              "seconds": time.perf_counter() - t0}
        history.append(ev)
        if on_epoch:
            on_epoch(ev)
    return history

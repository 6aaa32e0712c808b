"""Seed 004's NumPy MLP, vectorised: sigmoid layers, cross-entropy on sigmoid outputs, L2, plain SGD.

The article's own version loops over each image of a mini-batch and folds the L2 term into the
output delta; this one keeps its model ([784, m…, 10] sigmoid, cross-entropy, λ = 0.1, η = 1.3,
batch 10) and its shapes (W is (out, in), a batch is one column per image, so `np.dot(w, a) + b`
reads as in its network.py), with textbook gradients that tests check against PyTorch autograd.
It is the Sweep page's second backend (sweep/core.py); bench/seed004.py times it against the
article's code.

Why it is fast, in four lines (each is one idea a student can try on the article's code):
- float32 everywhere: half the memory traffic of float64, twice the SIMD width;
- a whole mini-batch is one matrix: no Python loop over the images of a batch;
- every buffer of a step is allocated once, then written in place (`out=`), so a step allocates nothing;
- σ(z) = (1 + tanh(z / 2)) / 2: one ufunc that cannot overflow, instead of masks and two exps.
What is left is the two 784-wide matrix products of a step and the gather of its ten images
(BENCHMARKS.md, seed 004, has the measured split).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """1 / (1 + e^-z), computed as (1 + tanh(z/2)) / 2: the same function, with no exp to overflow."""
    out = np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1
    out *= 0.5
    return out


@dataclass
class NumpyMLP:
    sizes: tuple[int, ...]                  # layer widths, e.g. (784, 30, 10)
    seed: int = 0
    weights: list[np.ndarray] = field(init=False)   # (out, in) per layer, float32, as in the article
    biases: list[np.ndarray] = field(init=False)    # (out, 1) per layer, float32

    def __post_init__(self):
        rng = np.random.default_rng(self.seed)
        # N(0, 1/fan_in): keeps sigmoid inputs out of saturation at the start (Nielsen's network2)
        self.weights = [(rng.standard_normal((b, a)) / np.sqrt(a)).astype(np.float32)
                        for a, b in zip(self.sizes[:-1], self.sizes[1:])]
        self.biases = [rng.standard_normal((b, 1)).astype(np.float32) for b in self.sizes[1:]]
        self._buffers: dict[int, tuple] = {}  # batch size → (activations, deltas, weight grads, bias grads)

    def _workspace(self, batch: int) -> tuple:
        """The arrays one step of `batch` images writes into, made on first use and then reused."""
        if batch not in self._buffers:
            f32 = np.float32
            self._buffers[batch] = ([np.empty((s, batch), f32) for s in self.sizes[1:]],   # a¹ … aᴸ
                                    [np.empty((s, batch), f32) for s in self.sizes[1:]],   # δ¹ … δᴸ
                                    [np.empty_like(w) for w in self.weights],              # ∂C/∂W
                                    [np.empty_like(b) for b in self.biases])               # ∂C/∂b
        return self._buffers[batch]

    def forward(self, x: np.ndarray, acts: list[np.ndarray] | None = None) -> list[np.ndarray]:
        """Activations of every layer for x (B, 784) in [0, 1], one column per image: the first is
        xᵀ (784, B), the last (10, B) in (0, 1). With `acts` (one (width, B) array per layer) they
        are written there instead of new arrays."""
        out = [x.T]  # a view: the images are stored as rows, the article's layout wants columns
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = np.dot(w, out[-1], out=acts[i] if acts else None)  # z = W·a + b, then a = σ(z) in place
            z += b
            out.append(sigmoid(z, out=z))
        return out

    def predict(self, x: np.ndarray, batch: int = 10_000) -> np.ndarray:
        """The class of each image of x (N, 784)."""
        return np.concatenate([self.forward(x[i:i + batch])[-1].argmax(0) for i in range(0, len(x), batch)])

    def backprop(self, x: np.ndarray, target: np.ndarray, scale: float = 1.0):
        """Gradients of the mean cross-entropy C₀ over the batch x (B, 784), target (B, 10) one-hot,
        times `scale`. Backprop is linear in δ, so scaling δ once at the top scales every gradient:
        the SGD step passes η and gets η·∂C₀/∂W ready to subtract. The arrays returned are the
        workspace's own: the next call overwrites them."""
        acts, deltas, grads_w, grads_b = self._workspace(len(x))
        a = self.forward(x, acts)
        delta = np.subtract(a[-1], target.T, out=deltas[-1])  # cross-entropy on a sigmoid: σ' cancels out
        delta *= scale / len(x)
        for layer in range(len(self.weights) - 1, -1, -1):
            np.dot(delta, a[layer].T, out=grads_w[layer])    # ∂C₀/∂W = δ·aᵀ
            np.add.reduce(delta, axis=1, keepdims=True, out=grads_b[layer])  # ∂C₀/∂b = Σ δ (np.sum, minus its wrapper)
            if layer:  # δ of the layer below: Wᵀ·δ ⊙ σ'(z), and σ'(z) = a(1 − a)
                below = np.dot(self.weights[layer].T, delta, out=deltas[layer - 1])
                below *= a[layer]
                below *= 1 - a[layer]
                delta = below
        return grads_w, grads_b

    def gradients(self, x: np.ndarray, y: np.ndarray, lmbda: float, n: int):
        """Gradients of C = C₀ + (λ / 2n)·Σw² (y: (B,) labels), as new arrays: for checking, not training."""
        grads_w, grads_b = self.backprop(x, one_hot(y, self.sizes[-1]))
        return [g + (lmbda / n) * w for g, w in zip(grads_w, self.weights)], [g.copy() for g in grads_b]

    def cost(self, x: np.ndarray, y: np.ndarray, lmbda: float, n: int) -> float:
        a = np.clip(self.forward(x)[-1].T, 1e-7, 1 - 1e-7)
        t = one_hot(y, self.sizes[-1])
        ce = -(t * np.log(a) + (1 - t) * np.log(1 - a)).sum(1).mean()
        return float(ce + lmbda / (2 * n) * sum((w ** 2).sum() for w in self.weights))

    def step(self, x: np.ndarray, target: np.ndarray, eta: float, lmbda: float, n: int) -> None:
        """One SGD step in place, L2 as weight decay (Nielsen, ch. 3): W ← (1 − ηλ/n)·W − η·∂C₀/∂W."""
        grads_w, grads_b = self.backprop(x, target, scale=eta)
        for w, b, gw, gb in zip(self.weights, self.biases, grads_w, grads_b):
            w *= 1 - eta * lmbda / n
            w -= gw
            b -= gb


def one_hot(y: np.ndarray, classes: int = 10) -> np.ndarray:
    """(B,) integer labels → (B, classes) float32 rows with a single 1."""
    return np.eye(classes, dtype=np.float32)[y]


def train(net: NumpyMLP, x_train, y_train, x_val, y_val, epochs: int = 1, batch: int = 10, eta: float = 1.3,
          lmbda: float = 0.1, seed: int = 0, on_epoch=None, should_stop=None) -> list[dict]:
    """Plain mini-batch SGD; inputs are (N, 784) float32 in [0, 1]. Returns one dict per epoch."""
    rng = np.random.default_rng(seed)
    x_train = np.ascontiguousarray(x_train, dtype=np.float32)
    targets = one_hot(y_train, net.sizes[-1])   # (N, 10), made once, not per step
    xb = np.empty((batch, x_train.shape[1]), np.float32)  # the batch is gathered into these two
    tb = np.empty((batch, targets.shape[1]), np.float32)
    n, history, t0 = len(x_train), [], time.perf_counter()
    for epoch in range(epochs):
        perm = rng.permutation(n)
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            if len(idx) == batch:
                net.step(np.take(x_train, idx, axis=0, out=xb), np.take(targets, idx, axis=0, out=tb),
                         eta, lmbda, n)
            else:  # the last, shorter batch of an epoch
                net.step(x_train[idx], targets[idx], eta, lmbda, n)
        ev = {"epoch": epoch + 1, "val_acc": float((net.predict(x_val) == y_val).mean()),
              "seconds": time.perf_counter() - t0}
        history.append(ev)
        if on_epoch:
            on_epoch(ev)
        if should_stop and should_stop():
            break
    return history

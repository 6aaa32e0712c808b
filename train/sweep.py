"""Seed 004's sweep, made fast: a grid of MLP shapes trained together as one batched model.

The author trained one [784, m…, 10] net per m, could afford 2 epochs each, and the sweep froze at
m = 297. Here all widths of one depth k live in one module: layer 1 is one wide matrix (every
model's hidden units side by side), deeper layers are block-diagonal (each model sees only its own
units), and the summed loss gives each model exactly its own gradient, since no parameter is
shared. One step trains the whole row of the grid, and per-step overhead is paid once per depth.

    python -m train.sweep --k 1,2 --m 10,30,100,247,300 --epochs 2 [--device auto] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from train.data import load_mnist
from train.engine import device_name, prepare_data, resolve_device


class BatchedMLP(nn.Module):
    """len(widths) sigmoid MLPs [784, m × k, 10], one per m in `widths`: (B, 784) → (B, n, 10) logits."""

    def __init__(self, widths: list[int], k: int):
        super().__init__()
        self.widths, self.k = list(widths), k
        sizes = [[784] + [m] * k + [10] for m in widths]
        self.weights, self.biases = nn.ParameterList(), nn.ParameterList()
        for layer in range(k + 1):
            fan_in = [s[layer] for s in sizes]
            fan_out = [s[layer + 1] for s in sizes]
            shared = layer == 0  # every model reads the same 784 pixels
            w = torch.zeros(784 if shared else sum(fan_in), sum(fan_out))
            mask = torch.zeros_like(w)
            b = torch.empty(sum(fan_out))
            r0 = c0 = 0
            for fi, fo in zip(fan_in, fan_out):
                rows, cols = slice(0, 784) if shared else slice(r0, r0 + fi), slice(c0, c0 + fo)
                bound = 1 / math.sqrt(fi)  # nn.Linear's default init, with each model's own fan-in
                w[rows, cols] = torch.empty(fi, fo).uniform_(-bound, bound)
                b[cols] = torch.empty(fo).uniform_(-bound, bound)
                mask[rows, cols] = 1
                r0, c0 = r0 + fi, c0 + fo
            self.weights.append(nn.Parameter(w))
            self.biases.append(nn.Parameter(b))
            self.register_buffer(f"mask{layer}", mask)

    def forward(self, x):  # (B, 784) in [0, 1] → (B, n_models, 10)
        h = x
        for layer, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = h @ (w * getattr(self, f"mask{layer}")) + b  # the mask keeps the blocks apart, gradients too
            if layer < self.k:
                h = torch.sigmoid(h)
        return h.view(len(x), len(self.widths), 10)


def loss_fn(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Sum over models of each model's mean cross-entropy: each gets exactly its own gradient."""
    n = logits.shape[1]
    return F.cross_entropy(logits.reshape(-1, 10), y.repeat_interleave(n), reduction="sum") / len(y)


@torch.inference_mode()
def accuracies(model: BatchedMLP, x: torch.Tensor, y: torch.Tensor, batch: int = 5000) -> np.ndarray:
    correct = torch.zeros(len(model.widths), device=x.device)
    for i in range(0, len(x), batch):
        correct += (model(x[i:i + batch]).argmax(2) == y[i:i + batch, None]).sum(0)
    return (correct / len(x)).cpu().numpy()


def sweep(ks: list[int], ms: list[int], epochs: int = 2, batch: int = 10, lr: float = 0.01,
          weight_decay: float = 1e-4, device: str = "auto", seed: int = 0, subset: int = 0,
          on_result=None) -> list[dict]:
    """Seed 004's recipe (sigmoid, CE + L2, SGD lr 0.01, batch 10, 50k/10k split) for every (k, m)."""
    dev = resolve_device(device)
    d = prepare_data(load_mnist(), dev, val_size=10_000, seed=seed, subset=subset)
    flat = lambda x: x.reshape(len(x), -1).float() / 255  # noqa: E731 - (N, 28, 28) uint8 → (N, 784)
    x_tr, y_tr, x_va, y_va = flat(d.x_train), d.y_train, flat(d.x_val), d.y_val
    results = []
    for k in ks:
        torch.manual_seed(seed)
        model = BatchedMLP(ms, k).to(dev)
        opt = torch.optim.SGD(model.parameters(), lr=lr, weight_decay=weight_decay)
        gen = torch.Generator().manual_seed(seed)
        t0, curves = time.perf_counter(), []
        for _ in range(epochs):
            perm = torch.randperm(len(x_tr), generator=gen).to(dev)
            for i in range(0, len(x_tr), batch):
                idx = perm[i:i + batch]
                loss = loss_fn(model(x_tr[idx]), y_tr[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
            curves.append(accuracies(model, x_va, y_va))
        seconds = time.perf_counter() - t0
        for j, m in enumerate(ms):
            row = {"k": k, "m": m, "val_acc": float(curves[-1][j]), "val_curve": [float(c[j]) for c in curves],
                   "seconds_for_row": seconds, "device": device_name(dev)}
            results.append(row)
            if on_result:
                on_result(row)
    return results


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m train.sweep", description=__doc__.splitlines()[0])
    p.add_argument("--k", default="1", help="hidden layers, comma-separated (1-3)")
    p.add_argument("--m", default="10,30,100,247,300", help="units per layer, comma-separated")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--device", default="auto")
    p.add_argument("--subset", type=int, default=0, help="train on the first N training images only")
    p.add_argument("--json", help="write the results to this file")
    a = p.parse_args(argv)
    try:
        ks, ms = [int(v) for v in a.k.split(",")], [int(v) for v in a.m.split(",")]
        if not all(1 <= k <= 3 for k in ks) or not all(1 <= m <= 4096 for m in ms) or not 1 <= a.epochs <= 100:
            raise ValueError("k must be 1-3, m 1-4096 and epochs 1-100")
    except ValueError as e:
        print(f"python -m train.sweep: error: {e}", file=sys.stderr)
        return 2
    rows = sweep(ks, ms, a.epochs, device=a.device, subset=a.subset,
                 on_result=lambda r: print(f"k={r['k']} m={r['m']:4d}: val {r['val_acc']:.2%}"))
    best = max(rows, key=lambda r: r["val_acc"])
    per_k = {r["k"]: r["seconds_for_row"] for r in rows}
    print(f"best: k={best['k']}, m={best['m']} at {best['val_acc']:.2%} validation accuracy; "
          f"{len(rows)} shapes in {sum(per_k.values()):.1f} s on {rows[0]['device']}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

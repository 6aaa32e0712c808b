"""Seed 004's timing, redone: the NumPy MLP against PyTorch on [784, 30, 10], batch 10, 50k/10k/10k.

The article reported NumPy (η 1.3, λ 0.1) 94.3% in 79 s and PyTorch (lr 0.01, L2 1e-4) 93.17% in
171 s, for 30 epochs on the author's laptop. This prints our seconds and accuracies for the same
recipes, in one process on this machine.

    python bench/seed004.py [--epochs 3] [--m 30]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model import numpy_mlp  # noqa: E402
from model.presets import get  # noqa: E402
from train.data import load_mnist, split  # noqa: E402
from train.engine import train  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--m", type=int, default=30, help="hidden units")
    a = p.parse_args(argv)
    data = load_mnist()
    sp = split(60_000, 10_000, seed=0)  # the preset's own split: 50k train / 10k validation
    flat = lambda x: x.reshape(len(x), -1).astype(np.float32) / 255  # noqa: E731
    x_tr, y_tr = flat(data.x_train[sp.train]), data.y_train[sp.train]
    x_va, y_va = flat(data.x_train[sp.val]), data.y_train[sp.val]

    net = numpy_mlp.NumpyMLP((784, a.m, 10))
    hist = numpy_mlp.train(net, x_tr, y_tr, x_va, y_va, epochs=a.epochs, batch=10, eta=1.3, lmbda=0.1)
    np_test = float((net.predict(flat(data.x_test)) == data.y_test).mean())
    print(f"NumPy   [784,{a.m},10] η 1.3, λ 0.1, batch 10: {a.epochs} epochs in {hist[-1]['seconds']:.1f} s "
          f"({hist[-1]['seconds'] / a.epochs:.2f} s/epoch), val {hist[-1]['val_acc']:.2%}, test {np_test:.2%}")

    cfg = dataclasses.replace(get("seed004-mlp", k=1, m=a.m).train, epochs=a.epochs, device="cpu")
    epochs = []
    r = train(cfg, on_event=lambda e: epochs.append(e) if e["kind"] == "epoch" else None, data=data)
    secs = epochs[-1]["train_s"]
    print(f"PyTorch [784,{a.m},10] lr 0.01, L2 1e-4, batch 10: {a.epochs} epochs in {secs:.1f} s "
          f"({secs / a.epochs:.2f} s/epoch), val {r.metrics['val_acc']:.2%}, test {r.metrics['test_acc']:.2%} "
          f"(torch threads {torch.get_num_threads()})")
    print("article (30 epochs, author's laptop): NumPy 94.3% in 79 s; PyTorch 93.17% in 171 s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

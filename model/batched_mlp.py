"""len(widths) MLPs of one depth as a single module, for seed 004's sweep (train/sweep.py).

Layer 1 is one wide matrix (every model's hidden units side by side, all reading the same 784
pixels); deeper layers and the output are block-diagonal, kept so by a fixed 0/1 mask (each model
sees only its own units). No parameter is shared, so a summed loss gives each model exactly the
gradient it would get alone.
"""

from __future__ import annotations

import math

import torch
from torch import nn

ACTIVATIONS = {"sigmoid": torch.sigmoid, "relu": torch.relu, "tanh": torch.tanh}


class BatchedMLP(nn.Module):
    """len(widths) MLPs [784, m × k, 10], one per m in `widths`: (B, 784) → (B, n, 10) logits."""

    def __init__(self, widths: list[int], k: int, activation: str = "sigmoid", seed: int | None = None):
        super().__init__()
        self.widths, self.k, self.act = list(widths), k, ACTIVATIONS[activation]
        sizes = [[784] + [m] * k + [10] for m in widths]
        # with a seed, each model draws its start from its own generator: the same weights whichever
        # piece of the grid it is trained in, alone or beside others
        gens = [torch.Generator().manual_seed(seed * 1_000_000 + k * 10_000 + m) if seed is not None else None
                for m in widths]
        self.weights, self.biases = nn.ParameterList(), nn.ParameterList()
        for layer in range(k + 1):
            fan_in = [s[layer] for s in sizes]
            fan_out = [s[layer + 1] for s in sizes]
            shared = layer == 0  # every model reads the same 784 pixels
            w = torch.zeros(784 if shared else sum(fan_in), sum(fan_out))
            mask = torch.zeros_like(w)
            b = torch.empty(sum(fan_out))
            r0 = c0 = 0
            for fi, fo, g in zip(fan_in, fan_out, gens):
                rows, cols = slice(0, 784) if shared else slice(r0, r0 + fi), slice(c0, c0 + fo)
                bound = 1 / math.sqrt(fi)  # nn.Linear's default init, with each model's own fan-in
                w[rows, cols] = torch.empty(fi, fo).uniform_(-bound, bound, generator=g)
                b[cols] = torch.empty(fo).uniform_(-bound, bound, generator=g)
                mask[rows, cols] = 1
                r0, c0 = r0 + fi, c0 + fo
            self.weights.append(nn.Parameter(w))
            self.biases.append(nn.Parameter(b))
            if not shared:
                self.register_buffer(f"mask{layer}", mask)

    def forward(self, x):  # (B, 784) in [0, 1] → (B, n_models, 10)
        h = x
        for layer, (w, b) in enumerate(zip(self.weights, self.biases)):
            if layer:  # the mask keeps the blocks apart, gradients too
                w = w * getattr(self, f"mask{layer}")
            h = h @ w + b  # layer 1 needs no mask: every model reads all 784 pixels
            if layer < self.k:
                h = self.act(h)
        return h.view(len(x), len(self.widths), 10)

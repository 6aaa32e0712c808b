"""len(widths) MLPs of one depth as a single module, for seed 004's sweep (sweep/core.py).

Layer 1 is one wide matrix: every model's hidden units side by side, all reading the same 784
pixels. Deeper layers and the output are grouped: one (width × width) matrix per model, stacked,
and applied with one batched matrix product (`torch.baddbmm`). A piece's models have different
widths, so for those layers each is padded to the widest: layer 1's units are spread into that
padded layout (the padding reads a column of zeros), and deeper padded units are held at exactly 0
by a fixed 0/1 mask on the activations, which also gives their weights a zero gradient, so they
stay 0. No parameter is shared, so a summed loss gives each model exactly the gradient it would
get alone.
(An earlier version kept deeper layers as one block-diagonal matrix, which multiplies (Σ m)²
weights where the models use Σ m²: most of the work of a deep piece was on zeros.)
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

ACTIVATIONS = {"sigmoid": torch.sigmoid, "relu": torch.relu, "tanh": torch.tanh}


class BatchedMLP(nn.Module):
    """len(widths) MLPs [784, m × k, 10], one per m in `widths`: (B, 784) → (B, n, 10) logits."""

    def __init__(self, widths: list[int], k: int, activation: str = "sigmoid", seed: int | None = None):
        super().__init__()
        self.widths, self.k, self.act = list(widths), k, ACTIVATIONS[activation]
        n, self.top = len(widths), max(widths)  # past layer 1, every model is padded to the widest, `top`
        self.starts = [sum(widths[:j]) for j in range(n)]  # model j's columns in layer 1
        # with a seed, each model draws its start from its own generator: the same weights whichever
        # piece of the grid it is trained in, alone or beside others
        gens = [torch.Generator().manual_seed(seed * 1_000_000 + k * 10_000 + m) if seed is not None else None
                for m in widths]
        sizes = [784] + [self.top] * k + [10]
        self.weights, self.biases = nn.ParameterList(), nn.ParameterList()
        for layer in range(k + 1):
            if layer == 0:  # (784, Σ m): model j's units are the m_j columns from starts[j]
                w, b = torch.zeros(784, sum(widths)), torch.zeros(sum(widths))
            else:  # (n, top, top) or (n, top, 10): model j's matrix is w[j]
                w, b = torch.zeros(n, sizes[layer], sizes[layer + 1]), torch.zeros(n, 1, sizes[layer + 1])
            for j, (m, g) in enumerate(zip(widths, gens)):
                fi, fo = ([784] + [m] * k + [10])[layer:layer + 2]
                bound = 1 / math.sqrt(fi)  # nn.Linear's default init, with each model's own fan-in
                wj = torch.empty(fi, fo).uniform_(-bound, bound, generator=g)
                bj = torch.empty(fo).uniform_(-bound, bound, generator=g)
                if layer == 0:
                    w[:, self.starts[j]:self.starts[j] + fo], b[self.starts[j]:self.starts[j] + fo] = wj, bj
                else:
                    w[j, :fi, :fo], b[j, 0, :fo] = wj, bj
            self.weights.append(nn.Parameter(w))
            self.biases.append(nn.Parameter(b))
        units = torch.zeros(n, 1, self.top)  # 1 for a model's own units, 0 for its padding
        spread = torch.full((n, self.top), sum(widths))  # the column of layer 1 each padded slot reads
        for j, m in enumerate(widths):
            units[j, 0, :m] = 1
            spread[j, :m] = torch.arange(self.starts[j], self.starts[j] + m)
        self.register_buffer("units", units)
        self.register_buffer("spread", spread.flatten())

    def forward(self, x):  # (B, 784) in [0, 1] → (B, n_models, 10)
        n = len(self.widths)
        h = self.act(x @ self.weights[0] + self.biases[0])  # (B, Σ m)
        h = F.pad(h, (0, 1)).index_select(1, self.spread)  # (B, n·top): padding reads the appended 0
        h = h.view(len(x), n, self.top).transpose(0, 1)  # (n, B, top)
        for layer in range(1, self.k + 1):
            h = torch.baddbmm(self.biases[layer], h, self.weights[layer])  # each model's b + h·W at once
            if layer < self.k:
                h = self.act(h) * self.units
        return h.transpose(0, 1)

    def model_params(self, j: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Model j's own (weight (in, out), bias (out,)) per layer, padding cut off: views, not copies."""
        m, s = self.widths[j], self.starts[j]
        out = [(self.weights[0][:, s:s + m], self.biases[0][s:s + m])]
        for layer in range(1, self.k + 1):
            fo = m if layer < self.k else 10
            out.append((self.weights[layer][j, :m, :fo], self.biases[layer][j, 0, :fo]))
        return out

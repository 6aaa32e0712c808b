"""The training loop of the small helper nets: the not-a-digit judge, the piece scorer and the number reader.

Each is trained apart from the engine (train/engine.py trains the digit models, with events, jobs and devices):
a few minutes on the CPU, from arrays already in memory. The caller seeds torch and builds the net; this loop
owns the order of the batches and the schedule, so that each command trains the same weights again.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import torch
from torch import nn

BatchLoss = Callable[[torch.Tensor, torch.Generator], torch.Tensor]  # (batch indices, the loop's generator) → loss


def fit(net: nn.Module, n: int, batch_loss: BatchLoss, epochs: int, seed: int, lr: float, batch: int,
        steps: int | None = None) -> nn.Module:
    """Adam with a one-cycle schedule peaking at `lr`, over `epochs` passes of n examples in random batches drawn
    from a generator seeded `seed` (which batch_loss may also draw its augmentation from); stops after `steps`
    steps when given. The net in eval mode; each epoch's last loss goes to stderr."""
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=epochs * -(-n // batch))
    gen, step = torch.Generator().manual_seed(seed), 0
    for epoch in range(epochs):
        net.train()
        for idx in torch.randperm(n, generator=gen).split(batch):
            loss = batch_loss(idx, gen)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if steps is not None and step >= steps:
                return net.eval()
        print(f"epoch {epoch + 1}/{epochs}: loss {loss.item():.4f}", file=sys.stderr, flush=True)
    return net.eval()

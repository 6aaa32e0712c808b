"""channels_last against the default (contiguous) memory layout: training steps of a CNN, same process.

The engine trains every model in channels_last (train/engine.py `_layout`); this prints what that buys
on this machine. Same net, same batch, same optimiser, synthetic [0, 1] images (speed does not depend
on the pixels), the two layouts interleaved and repeated so that load from other jobs hits both alike.

    python bench/channels_last.py [--preset cnn] [--batch 128] [--steps 30] [--repeats 5] [--threads N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.nets import build  # noqa: E402
from model.presets import get  # noqa: E402
from train.engine import device_name, resolve_device  # noqa: E402

LAYOUTS = {"contiguous": torch.contiguous_format, "channels_last": torch.channels_last}


def samples_per_s(preset: str, layout: str, dev: torch.device, batch: int, steps: int, warmup: int = 3) -> float:
    """Training steps/s × batch of a fresh model in `layout`, after `warmup` untimed steps."""
    fmt = LAYOUTS[layout]
    torch.manual_seed(0)
    model = build(get(preset).train.model).to(dev).to(memory_format=fmt).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x = torch.rand(batch, 1, 28, 28, device=dev).contiguous(memory_format=fmt)  # (B, 1, 28, 28)
    y = torch.randint(0, 10, (batch,), device=dev)
    for i in range(warmup + steps):
        if i == warmup:
            _sync(dev)
            t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()
    _sync(dev)
    return batch * steps / (time.perf_counter() - t0)


def _sync(dev: torch.device) -> None:
    if dev.type == "cuda":
        torch.cuda.synchronize()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="cnn", help="the model whose steps are timed")
    p.add_argument("--device", default="auto")
    p.add_argument("--batch", type=int, default=128, help="the cnn preset's own batch size")
    p.add_argument("--steps", type=int, default=30, help="timed steps per run")
    p.add_argument("--repeats", type=int, default=5, help="runs of each layout, interleaved")
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's own choice)")
    a = p.parse_args(argv)
    if a.threads:
        torch.set_num_threads(a.threads)
    dev = resolve_device(a.device)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"device: {device_name(dev)}, torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"load average before: {'n/a' if load is None else ' '.join(f'{v:.2f}' for v in load)}")
    runs: dict[str, list[float]] = {k: [] for k in LAYOUTS}
    for r in range(a.repeats):
        order = list(LAYOUTS) if r % 2 == 0 else list(reversed(LAYOUTS))  # neither always goes first
        for layout in order:
            runs[layout].append(samples_per_s(a.preset, layout, dev, a.batch, a.steps))
    for layout, v in runs.items():
        print(f"  {layout:13s} median {statistics.median(v):7,.0f} samples/s   best {max(v):7,.0f}   "
              f"runs {[round(s) for s in v]}")
    med = statistics.median(runs["channels_last"]) / statistics.median(runs["contiguous"])
    best = max(runs["channels_last"]) / max(runs["contiguous"])
    # each repeat ran both layouts back to back: a pair saw about the same load from other jobs
    pairs = [cl / c for cl, c in zip(runs["channels_last"], runs["contiguous"])]
    print(f"{a.preset}, batch {a.batch}, {a.steps} steps × {a.repeats} interleaved runs: "
          f"channels_last / contiguous = {med:.2f}× (medians), {best:.2f}× (bests), "
          f"{statistics.median(pairs):.2f}× (median of pairs; channels_last faster in "
          f"{sum(r > 1 for r in pairs)} of {len(pairs)} pairs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

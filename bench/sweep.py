"""Seed 004's sweep: one model at a time (our engine) against a batched piece (sweep/core.py), and
the whole study's wall time projected from a measured slice.

    python bench/sweep.py [--m 10,30,100,247,300] [--epochs 1] [--device auto] [--subset 0]
    python bench/sweep.py --project [--sample 12] [--steps 20] [--pieces]

Same recipe both ways: [784, m, 10] sigmoid, CE + L2 1e-4, SGD lr 0.01, batch 10, 50k/10k split.
--project times `--steps` SGD steps and one 10k-image scoring pass of every few pieces of the study
(k 1-3, m 10-784, 30 epochs) and scales them up: a projection from a slice, not a run of the study.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.presets import get  # noqa: E402
from sweep.config import STUDY, SweepConfig  # noqa: E402
from sweep.core import BatchedMLP, accuracies, loss_fn, pieces, sweep  # noqa: E402
from train.data import load_mnist  # noqa: E402
from train.engine import device_name, resolve_device, train  # noqa: E402


def ratio(a, data) -> None:
    ms = [int(v) for v in a.m.split(",")]
    t = time.perf_counter()
    one_by_one = {}
    for m in ms:
        cfg = dataclasses.replace(get("seed004-mlp", k=1, m=m).train, epochs=a.epochs, device=a.device,
                                  subset=a.subset)
        one_by_one[m] = train(cfg, data=data).metrics["val_acc"]
    t_seq = time.perf_counter() - t  # includes each run's validation/test scoring, as a user waits for it
    t = time.perf_counter()
    cfg = SweepConfig(ks=(1,), ms=tuple(ms), epochs=a.epochs, device=a.device, subset=a.subset, max_units=10**6)
    batched = {r["m"]: r["val_acc"] for r in sweep(cfg, data=data)}
    t_bat = time.perf_counter() - t
    for m in ms:
        print(f"m={m:4d}: one at a time {one_by_one[m]:.2%}, batched {batched[m]:.2%}")
    print(f"{len(ms)} widths × {a.epochs} epoch(s) on {device_name(resolve_device(a.device))}: one at a time "
          f"{t_seq:.1f} s, batched {t_bat:.1f} s, speed-up {t_seq / t_bat:.1f}×")


def project(a) -> None:
    dev = resolve_device(a.device)
    study = dataclasses.replace(STUDY, device=a.device)
    todo = pieces(study)
    steps_per_epoch = 50_000 // study.batch_size
    x, y = torch.rand(10_000, 784, device=dev), torch.randint(0, 10, (10_000,), device=dev)
    total, t_measure = 0.0, time.perf_counter()
    for k in study.ks:
        mine = [w for kk, w in todo if kk == k]
        sample = mine[::max(1, len(mine) // a.sample)]
        secs = []
        for widths in sample:
            model = BatchedMLP(list(widths), k, seed=0).to(dev)
            opt = torch.optim.SGD(model.parameters(), lr=0.01, weight_decay=1e-4)
            for i in range(a.steps + 3):  # three warm-up steps, then the timed ones
                if i == 3:
                    if dev.type == "cuda":
                        torch.cuda.synchronize()
                    t = time.perf_counter()
                idx = torch.randint(0, 10_000, (study.batch_size,), device=dev)
                loss = loss_fn(model(x[idx]), y[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
            accuracies(model, x[:1], y[:1])  # syncs the device before the clock stops
            step_s = (time.perf_counter() - t) / a.steps
            t = time.perf_counter()
            accuracies(model, x, y)  # one scoring pass of 10k images (validation; test costs the same)
            score_s = time.perf_counter() - t
            secs.append(steps_per_epoch * step_s + 2 * score_s)
            if a.pieces:
                print(f"  k={k}, m={widths[0]}…{widths[-1]} ({len(widths)} models): {step_s * 1e3:.1f} ms per step")
        per_epoch = sum(secs) / len(secs) * len(mine)
        total += per_epoch * study.epochs
        print(f"k={k}: {len(mine)} pieces ({sum(map(len, mine))} models), {len(sample)} timed: "
              f"{per_epoch / 3600:.2f} h per epoch")
    print(f"the whole study ({len(study.ks) * len(study.ms)} models × {study.epochs} epochs) on "
          f"{device_name(dev)}: about {total / 3600:.0f} h ({total / 86400:.1f} days), PROJECTED from "
          f"{a.steps} timed steps of a slice of its pieces (measured in {time.perf_counter() - t_measure:.0f} s; "
          f"torch threads {torch.get_num_threads()})")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--m", default="10,30,100,247,300")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--device", default="auto")
    p.add_argument("--subset", type=int, default=0, help="train on the first N images only (quicker)")
    p.add_argument("--project", action="store_true", help="project the whole study's wall time instead")
    p.add_argument("--sample", type=int, default=12, help="--project: pieces timed per depth (about)")
    p.add_argument("--steps", type=int, default=20, help="--project: SGD steps timed per piece")
    p.add_argument("--pieces", action="store_true", help="--project: also print each timed piece's time per step")
    a = p.parse_args(argv)
    if a.project:
        project(a)
    else:
        ratio(a, load_mnist())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

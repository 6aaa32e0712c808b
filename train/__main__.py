"""The training CLI: `python -m train --preset NAME [...]` or `python -m train --config RUN/config.json`.

Prints a progress bar with samples/s and ETA to stderr, writes the run directory (DESIGN.md), and ends
with the final metrics. Bad arguments exit 2 with a one-line reason.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

from model import presets, store
from model.nets import MLPConfig
from train import rundir
from train.engine import TrainingError, resolve_device


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m train", description=__doc__.splitlines()[0])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--preset", choices=list(presets.PRESETS), help="start from a named preset")
    src.add_argument("--config", type=Path, help="a run's config.json (trains into its directory)")
    p.add_argument("--epochs", type=int, help="number of epochs (default: the preset's)")
    p.add_argument("--batch-size", type=int, help="mini-batch size")
    p.add_argument("--lr", type=float, help="peak learning rate")
    p.add_argument("--seed", type=int, help="seed for split, init, order and augmentation")
    p.add_argument("--device", help="auto (default), cpu, cuda, cuda:N or mps")
    p.add_argument("--augment", action=argparse.BooleanOptionalAction, default=None,
                   help="random affine/elastic/stroke-width augmentation (default: the preset's)")
    p.add_argument("--subset", type=int, help="train on the first N training images only")
    p.add_argument("--k", type=int, help="seed004-mlp: number of hidden layers (1-3)")
    p.add_argument("--m", type=int, help="seed004-mlp: units per hidden layer")
    p.add_argument("--hidden", help="MLP presets: hidden widths, e.g. 800 or 512,256")
    p.add_argument("--name", help="name shown in the app's model pickers")
    p.add_argument("--out", type=Path, help="run directory (default runs/<time>-<preset>-<pid>)")
    p.add_argument("--dry-run", action="store_true", help="a few batches only, to check that it runs")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p.parse_args(argv)


def config_from_args(a: argparse.Namespace) -> presets.TrainConfig:
    cfg = presets.get(a.preset, k=a.k, m=a.m).train
    if a.hidden:
        if not isinstance(cfg.model, MLPConfig):
            raise ValueError("--hidden applies to MLP presets only")
        hidden = tuple(int(w) for w in a.hidden.split(","))
        cfg = dataclasses.replace(cfg, model=dataclasses.replace(cfg.model, hidden=hidden))
    changes = {"epochs": a.epochs, "batch_size": a.batch_size, "lr": a.lr, "seed": a.seed,
               "device": a.device, "augment": a.augment, "subset": a.subset}
    cfg = dataclasses.replace(cfg, **{k: v for k, v in changes.items() if v is not None})
    if a.dry_run:
        cfg = dataclasses.replace(cfg, max_steps=5, epochs=1, subset=cfg.subset or 2000)
    return cfg


class Progress:
    """A one-line progress bar on stderr: epoch, bar, loss, accuracy, samples/s, ETA."""

    def __init__(self, quiet: bool):
        self.quiet, self.tty = quiet, sys.stderr.isatty()
        self.last_print = 0.0

    def __call__(self, e: dict) -> None:
        if self.quiet:
            return
        if e["kind"] == "start":
            print(f"training on {e['device_name']}: {e['params']:,} parameters, {e['n_train']:,} train / "
                  f"{e['n_val']:,} val / {e['n_test']:,} test images, {e['epochs']} epochs", file=sys.stderr)
        elif e["kind"] == "step":
            if not self.tty and time.time() - self.last_print < 10:
                return  # in a log file, a line every 10 s is plenty
            self.last_print = time.time()
            filled = int(30 * e["progress"])
            line = (f"epoch {e['epoch']} [{'█' * filled}{'·' * (30 - filled)}] {100 * e['progress']:5.1f}%  "
                    f"loss {e['loss']:.4f}  acc {100 * e['acc']:5.2f}%  {e['samples_per_s']:,.0f} samples/s  "
                    f"ETA {e['eta_s']:.0f}s")
            print(("\r" + line) if self.tty else line, end="" if self.tty else "\n", file=sys.stderr, flush=True)
        elif e["kind"] == "epoch":
            parts = [f"epoch {e['epoch']}: train {100 * e['train_acc']:.2f}%"]
            parts += [f"{k[:-4]} {100 * e[k]:.2f}%" for k in ("val_acc", "test_acc") if e.get(k) is not None]
            print(("\r" if self.tty else "") + ", ".join(parts) + f"  ({e['seconds']:.1f} s)", file=sys.stderr)


def main(argv=None) -> int:
    a = parse_args(argv)
    from train import background  # here, so this edit stays out of the imports other branches change
    background.apply()  # a job started by the app yields the CPU to it (train/background.py)
    try:
        if a.config:
            if not a.config.exists():
                raise ValueError(f"{a.config} does not exist")
            folder = a.config.parent
            rundir.read_config(folder)  # validate before starting
        else:
            cfg = config_from_args(a)
            for w in presets.validate_train(cfg):
                print(f"warning: {w}", file=sys.stderr)
            resolve_device(cfg.device)  # a device this machine lacks is a bad argument: no run directory
            folder = a.out or store.runs_dir() / rundir.new_run_id(cfg.preset)
            rundir.prepare(folder, cfg, name=a.name)
    except (ValueError, KeyError, json.JSONDecodeError, TrainingError) as e:
        print(f"python -m train: error: {str(e).strip(chr(39))}", file=sys.stderr)
        return 2
    status = rundir.execute(folder, on_event=Progress(a.quiet))
    m = status.get("metrics") or {}
    if status["state"] == "failed":
        print(f"failed: {status.get('error')}", file=sys.stderr)
        return 1
    fmt = lambda v: "—" if v is None else f"{100 * v:.2f}%"  # noqa: E731
    print(f"{status['state']}: test {fmt(m.get('test_acc'))}, val {fmt(m.get('val_acc'))}, "
          f"train {fmt(m.get('train_acc'))}, {m.get('epochs_run')} epochs in {m.get('seconds', 0):.1f} s "
          f"on {m.get('device_name')} ({m.get('samples_per_s', 0):,.0f} samples/s)")
    print(f"checkpoint: {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

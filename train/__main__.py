"""The training CLI: `python -m train --preset NAME [...]` or `python -m train --config RUN/config.json`.

Prints a progress bar with samples/s and ETA to stderr, writes the run directory (docs/ARCHITECTURE.md),
and ends with the final metrics. Bad arguments exit 2 with a one-line reason. Nothing is replaced
silently: a folder that already holds a run needs --force, and model/pretrained/ is written only by
--ship NAME, which copies a finished run's checkpoint there.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

from jobs import folder as rundir
from jobs.folder import RunState
from model import presets, store
from model.nets import MLPConfig
from model.paths import PRETRAINED
from train.engine import TrainingError, resolve_device
from train.run import execute, prepare, read_config, teacher


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
    p.add_argument("--world-styles", type=float, metavar="SHARE", help="share of each batch replaced by "
                   "digits in the world's styles: flagged 1s, crossed 7s, ... (train/styles.py; e.g. 0.15)")
    p.add_argument("--teacher", metavar="NAME", help="a shipped model (model/pretrained/NAME, e.g. cnn) whose "
                   "answers the new model learns to give as well as the labels (knowledge distillation)")
    p.add_argument("--average", type=float, metavar="DECAY", help="score and save a moving average of the "
                   "weights, updated each step with this decay (e.g. 0.999), not the last step's weights")
    p.add_argument("--subset", type=int, help="train on the first N training images only")
    p.add_argument("--k", type=int, help="seed004-mlp: number of hidden layers (1-3)")
    p.add_argument("--m", type=int, help="seed004-mlp: units per hidden layer")
    p.add_argument("--hidden", help="MLP presets: hidden widths, e.g. 800 or 512,256")
    p.add_argument("--name", help="name shown in the app's model pickers")
    p.add_argument("--out", type=Path, help="run directory (default runs/<date>-<time>-<preset>); "
                   "refused if it already holds a run, unless --force")
    p.add_argument("--force", action="store_true", help="train into a folder that already holds a run, "
                   "replacing its curves (and, once training succeeds, its checkpoint)")
    p.add_argument("--ship", metavar="NAME", help="when training ends, copy the checkpoint to "
                   "model/pretrained/NAME, replacing the shipped model of that name")
    p.add_argument("--dry-run", action="store_true", help="a few batches only, to check that it runs (with "
                   "--config: in a new folder, leaving the run's own as it is)")
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
               "device": a.device, "augment": a.augment, "subset": a.subset,
               "world_styles": a.world_styles, "teacher": a.teacher, "average": a.average}
    cfg = dataclasses.replace(cfg, **{k: v for k, v in changes.items() if v is not None})
    return dry_run(cfg) if a.dry_run else cfg


def dry_run(cfg: presets.TrainConfig) -> presets.TrainConfig:
    """The same run cut to a few batches on a small subset: does it start, step and save?"""
    return dataclasses.replace(cfg, max_steps=5, epochs=1, subset=cfg.subset or 2000)


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
            eta = "estimating…" if e["eta_s"] is None else f"{e['eta_s']:.0f}s"  # None until it can know
            line = (f"epoch {e['epoch']} [{'█' * filled}{'·' * (30 - filled)}] {100 * e['progress']:5.1f}%  "
                    f"loss {e['loss']:.4f}  acc {100 * e['acc']:5.2f}%  {e['samples_per_s']:,.0f} samples/s  "
                    f"ETA {eta}")
            print(("\r" + line) if self.tty else line, end="" if self.tty else "\n", file=sys.stderr, flush=True)
        elif e["kind"] == "epoch":
            parts = [f"epoch {e['epoch']}: train {100 * e['train_acc']:.2f}%"]
            parts += [f"{k[:-4]} {100 * e[k]:.2f}%" for k in ("val_acc", "test_acc") if e.get(k) is not None]
            print(("\r" if self.tty else "") + ", ".join(parts) + f"  ({e['seconds']:.1f} s)", file=sys.stderr)


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def run_folder(a: argparse.Namespace, cfg: presets.TrainConfig) -> Path:
    """The run directory to train into, refused (ValueError) where training would replace something."""
    if a.out is None:
        return rundir.create(rundir.runs_dir(), cfg.preset)
    if _inside(a.out, PRETRAINED):
        raise ValueError(f"{a.out} is inside model/pretrained/, which holds the shipped models: train into "
                         "another folder and add --ship NAME to copy the finished model there")
    if a.out.exists() and not a.out.is_dir():
        raise ValueError(f"--out {a.out} exists and is not a folder")
    if rundir.holds_run(a.out) and not a.force:
        raise ValueError(f"{a.out} already holds a run: choose another --out, or add --force to train it "
                         "again (its curves are replaced, and its checkpoint once training succeeds)")
    return a.out


def config_folder(a: argparse.Namespace) -> Path:
    """The run directory of --config, validated; one that has already trained needs --force."""
    if not a.config.exists():
        raise ValueError(f"{a.config} does not exist")
    folder = a.config.parent
    read_config(folder)  # validate before starting
    if _inside(folder, PRETRAINED):
        raise ValueError(f"{folder} is inside model/pretrained/: use --ship NAME to replace a shipped model")
    state = RunState(rundir.read_status(folder)["state"])
    ran = state in rundir.FINAL | rundir.BUSY or any((folder / f).exists() for f in ("metrics.jsonl",
                                                                                      "model.safetensors"))
    if ran and not a.force:
        raise ValueError(f"{folder} has already trained (state {state}): add --force to train it again "
                         "(its curves are replaced, and its checkpoint once training succeeds)")
    (folder / "metrics.jsonl").unlink(missing_ok=True)  # one run's history per file
    return folder


def dry_run_folder(a: argparse.Namespace) -> Path:
    """--config with --dry-run: the run's settings, cut to a few batches, in a new folder (--out, or a fresh
    one under runs/); the run folder itself is left as it is, so it still trains in full later."""
    if not a.config.exists():
        raise ValueError(f"{a.config} does not exist")
    cfg, name = read_config(a.config.parent)
    cfg = dry_run(cfg)
    folder = run_folder(a, cfg)
    prepare(folder, cfg, name=f"{name} (dry run)")
    return folder


def main(argv=None) -> int:
    a = parse_args(argv)
    from jobs import background  # here, so this edit stays out of the imports other branches change
    from train.memory import check_memory
    background.apply()  # a job started by the app yields the CPU to it (jobs/background.py)
    try:
        if a.ship is not None and not presets.SHIPPED_NAME.fullmatch(a.ship):
            raise ValueError(f"--ship needs a short lowercase name such as cnn, got {a.ship!r}")
        if a.config and a.dry_run:
            folder = dry_run_folder(a)
        elif a.config:
            folder = config_folder(a)
            check_memory(read_config(folder)[0])  # refused with the estimate and the limit, not a crash
        else:
            cfg = config_from_args(a)
            for w in presets.validate_train(cfg):
                print(f"warning: {w}", file=sys.stderr)
            resolve_device(cfg.device)  # a device this machine lacks is a bad argument: no run directory
            teacher(cfg.teacher)  # ... and so is a teacher that cannot be loaded
            check_memory(cfg)
            folder = run_folder(a, cfg)
            prepare(folder, cfg, name=a.name or a.ship)
    except (ValueError, KeyError, json.JSONDecodeError, TrainingError) as e:
        print(f"python -m train: error: {e.args[0] if isinstance(e, KeyError) else e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"python -m train: error: {e}", file=sys.stderr)
        return 2
    status = execute(folder, on_event=Progress(a.quiet))
    m = status.get("metrics") or {}
    if status["state"] == "failed":
        print(f"failed: {status.get('error')}", file=sys.stderr)
        return 1
    fmt = lambda v: "—" if v is None else f"{100 * v:.2f}%"  # noqa: E731
    print(f"{status['state']}: test {fmt(m.get('test_acc'))}, val {fmt(m.get('val_acc'))}, "
          f"train {fmt(m.get('train_acc'))}, {m.get('epochs_run')} epochs in {m.get('seconds', 0):.1f} s "
          f"on {m.get('device_name')} ({m.get('samples_per_s', 0):,.0f} samples/s)")
    print(f"checkpoint: {folder}")
    if a.ship and status["state"] == RunState.DONE:
        store.copy(folder, PRETRAINED / a.ship)
        print(f"shipped: {PRETRAINED / a.ship}")
    elif a.ship:
        print(f"not shipped: the run ended {status['state']}, not done", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

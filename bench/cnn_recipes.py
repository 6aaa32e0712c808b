"""Which CNN recipe is better, judged on training images held out: never on MNIST test.

Issue 16 asks the shipped CNN for 99.6% on MNIST test. It reads 99.59%, and over its last five epochs it
moved between 99.52 and 99.62%. One more run against the test set would be a draw, and keeping the best of
several would be tuning on it. So recipes are compared here on a validation set cut from the 60,000
training images: the same cut for every run, so that runs of one seed pair up across recipes. The runs
never see MNIST test: the engine's test slot holds the validation images. A recipe that wins here by more
than its noise is then trained once on all 60,000 images and checked once on the test set.

A recipe is the shipped CNN's own (the training settings in model/pretrained/cnn/model.json), with
changes given as NAME:FIELD=VALUE,FIELD=VALUE (TrainConfig's fields). The first recipe is the baseline.

    PYTHONPATH=. python bench/cnn_recipes.py --device cuda --seeds 1 2 3 4 \\
        --recipe shipped --recipe long:epochs=36 --recipe fewer-styles:world_styles=0.08

Prints each run's validation error, then per recipe the mean and its standard error, and the paired
difference from the baseline with its standard error. `--averages 0.998 0.999` also keeps, in each run,
a moving average of its weights with each decay (what TrainConfig.average saves), scored on the same
images at the end: the same run, so each average is paired with its own run's last-step weights at no
extra training and without the noise of another trajectory. On this project's 2-core CPU one run of the
shipped recipe takes about 25 minutes; `--subset N --epochs E` make a short run that only shows the
script works.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model import presets, store  # noqa: E402
from model.paths import PRETRAINED  # noqa: E402
from train.data import MNIST, load_mnist  # noqa: E402
from train.engine import TrainingError, averaged, device_name, evaluate, resolve_device, train  # noqa: E402

_BOOLS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
SPLIT_SEED = 160016  # the validation cut: fixed, and no training seed of the shipped models


def shipped_recipe(name: str = "cnn") -> presets.TrainConfig:
    """The settings that trained the shipped model `name`, from its model.json."""
    return presets.train_config_from_dict(store.read_info(PRETRAINED / name)["train_config"])


def parse_recipe(text: str, base: presets.TrainConfig) -> tuple[str, presets.TrainConfig]:
    """'NAME' or 'NAME:FIELD=VALUE,…' → (NAME, base with those fields); ValueError naming what is wrong."""
    name, _, changes = text.partition(":")
    if not name:
        raise ValueError(f"a recipe needs a name before its changes, got {text!r}")
    kinds = {f.name: type(getattr(base, f.name)) for f in dataclasses.fields(base) if f.name != "model"}
    out = {}
    for item in filter(None, changes.split(",")):
        key, eq, value = item.partition("=")
        if not eq or key not in kinds:
            raise ValueError(f"{item!r} in recipe {name!r}: expected FIELD=VALUE with FIELD one of {sorted(kinds)}")
        kind = kinds[key]
        try:
            out[key] = _BOOLS[value.lower()] if kind is bool else kind(value)
        except (KeyError, ValueError):
            raise ValueError(f"{key} in recipe {name!r} must be of type {kind.__name__}, got {value!r}") from None
    cfg = dataclasses.replace(base, **out)
    presets.validate_train(cfg)
    if cfg.teacher:  # a shipped teacher was trained on the validation images: it would leak their labels
        raise ValueError(f"recipe {name!r}: a teacher has seen the validation images, so it cannot be judged here")
    if cfg.val_size or cfg.class_drawings:
        raise ValueError(f"recipe {name!r}: val_size and class_drawings are this script's, not a recipe's")
    return name, cfg


def validation_cut(data: MNIST, size: int) -> MNIST:
    """The training images less `size` of them, with those `size` in the test slot (a seeded, fixed cut)."""
    order = np.random.default_rng(SPLIT_SEED).permutation(len(data.x_train))
    val, rest = order[:size], order[size:]
    return MNIST(data.x_train[rest], data.y_train[rest], data.x_train[val], data.y_train[val])


def mean_se(values: list[float]) -> tuple[float, float]:
    """The mean and its standard error (nan with one value)."""
    v = np.asarray(values, float)
    return float(v.mean()), float(v.std(ddof=1) / math.sqrt(len(v))) if len(v) > 1 else math.nan


def averages_kept(decays: list[float]) -> tuple[dict, Callable[[torch.nn.Module], None]]:
    """({decay: AveragedModel}, a step hook that starts them on the first step and updates them on each)."""
    kept: dict = {}

    def step(model) -> None:
        if not kept:
            kept.update({d: averaged(model, d) for d in decays})
        for avg in kept.values():
            avg.update_parameters(model)
    return kept, step


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--recipe", action="append", metavar="NAME[:FIELD=VALUE,…]",
                   help="a recipe to compare (repeat it; the first is the baseline; default: shipped, long:epochs=36)")
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3], help="training seeds, each run per recipe")
    p.add_argument("--val", type=int, default=10_000, help="training images held out to judge on")
    p.add_argument("--averages", type=float, nargs="+", default=[], metavar="DECAY",
                   help="also score moving averages of each run's weights with these decays (e.g. 0.999)")
    p.add_argument("--device", default="auto")
    p.add_argument("--subset", type=int, default=0, help="train on the first N of the rest only (a short run)")
    p.add_argument("--epochs", type=int, default=0, help="override every recipe's epochs (a short run)")
    a = p.parse_args(argv)
    base = shipped_recipe()
    short = {k: v for k, v in (("subset", a.subset), ("epochs", a.epochs)) if v}
    try:  # every run's settings are checked before the first one trains
        recipes = [parse_recipe(r, base) for r in (a.recipe or ["shipped", "long:epochs=36"])]
        if len({n for n, _ in recipes}) != len(recipes):
            raise ValueError("two recipes have the same name")
        for d in a.averages:
            presets.validate_train(dataclasses.replace(base, average=d))
        if not 1_000 <= a.val <= 30_000:
            raise ValueError(f"--val must be between 1,000 and 30,000 images, got {a.val}")
        dev = resolve_device(a.device)
        runs = [(seed, name, dataclasses.replace(cfg, seed=seed, device=str(dev), **short))
                for seed in a.seeds for name, cfg in recipes]  # seed by seed: a cut-short session keeps whole pairs
        for _, _, c in runs:
            presets.validate_train(c)
    except (ValueError, TrainingError) as e:
        print(f"cnn_recipes: {e}", file=sys.stderr)
        return 2
    data = validation_cut(load_mnist(), a.val)
    print(f"device: {device_name(dev)}; validation: {a.val:,} training images (cut seed {SPLIT_SEED}); "
          f"seeds {a.seeds}" + (f"; SHORT RUN {short}: not a comparison" if short else ""))
    errors: dict[str, list[float]] = {}
    against = {n: recipes[0][0] for n, _ in recipes[1:]}  # each variant's baseline: an average, its own run
    for n, _ in recipes:
        errors[n] = []
        for d in a.averages:
            errors[f"{n} averaged {d}"], against[f"{n} averaged {d}"] = [], n
    val = torch.from_numpy(data.x_test), torch.from_numpy(data.y_test.astype(np.int64))
    for seed, name, c in runs:
        t = time.perf_counter()
        kept, step = averages_kept(a.averages)
        r = train(c, data=data, on_step=step if a.averages else None)
        errors[name].append(100 * (1 - r.metrics["test_acc"]))  # the test slot holds the validation cut
        line = f"  {name} seed {seed}: validation error {errors[name][-1]:.2f}%"
        for d, avg in kept.items():
            x, y = (v.to(next(avg.parameters()).device) for v in val)
            errors[f"{name} averaged {d}"].append(100 * (1 - evaluate(avg.module, x, y, c, 2000)[0]))
            line += f", averaged {d}: {errors[f'{name} averaged {d}'][-1]:.2f}%"
        print(f"{line} ({c.epochs} epoch{'s' * (c.epochs != 1)}, {time.perf_counter() - t:.0f} s)", flush=True)
    print(f"\nvalidation error over {len(a.seeds)} seeds (mean ± standard error), last epoch as shipped:")
    for name in errors:
        m, se = mean_se(errors[name])
        line = f"  {name}: {m:.3f} ± {se:.3f}%"
        if name in against:
            d, dse = mean_se([x - b for x, b in zip(errors[name], errors[against[name]])])
            line += f"; against {against[name]}: {d:+.3f} ± {dse:.3f} points (paired)"
        print(line)
    print("A difference within two standard errors of zero is noise: no recipe should be shipped for it.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

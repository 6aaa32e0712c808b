"""Train the not-a-digit judge (model/judge.py) and ship it to model/pretrained/judge/.

    python -m train.judge [--seed 0] [--negatives 6000] [--epochs 8] [--out DIR] [--dry-run]

Positives: MNIST training digits as they are, the same digits enlarged onto a canvas and run through
the app's preprocessing, and digits typed in the installed fonts. Negatives: train/negatives.py's
letters, symbols, shapes and scribbles. All from training seeds (TRAIN_SEEDS), never bench/not_digit.py's
tuning (1) or test (7919) seeds. A seeded fifth of everything is held out; the threshold is chosen on
it, so that at most MAX_FLAGGED of the held-out digits are flagged, and the judge.json records it
with the held-out figures and this command.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from model import judge as judge_model
from train import negatives as ng
from train import small
from train.data import load_mnist

TRAIN_SEEDS = {"negatives": 101, "canvas": 102, "typed": 103}  # apart from bench/not_digit.py's 1 and 7919
MAX_FLAGGED = 0.003  # of held-out digits: the target on unseen digits is 1%, so a third of it here
VAL_SHARE = 0.2


def data(n_neg: int, n_mnist: int, n_canvas: int, n_typed: int, seed: int):
    """(images (N, 28, 28) float32, labels (N,) 1 = not a digit, kinds (N,) str): the judge's examples."""
    mnist = load_mnist()
    rng = np.random.default_rng(seed)
    raw = rng.choice(len(mnist.x_train), n_mnist + n_canvas, replace=False)
    images, kinds = [mnist.x_train[raw[:n_mnist]] / np.float32(255)], ["mnist"] * n_mnist
    crng = np.random.default_rng(TRAIN_SEEDS["canvas"])
    canvas = [ng.encode(ng.mnist_on_canvas(mnist.x_train[i], crng), ng.ENCODINGS[j % 3], crng)
              for j, i in enumerate(raw[n_mnist:])]
    trng, fonts = np.random.default_rng(TRAIN_SEEDS["typed"]), ng.fonts()
    typed = [ng.encode(ng.typed("0123456789", trng, fonts), ng.ENCODINGS[j % 2], trng) for j in range(n_typed)]
    for name, pictures in (("digits on a canvas", canvas), ("digits typed", typed)):
        seen, _ = ng.seen(pictures)
        images.append(seen)
        kinds += [name] * len(seen)
    pos = sum(len(x) for x in images)
    pictures, neg_kinds = ng.negatives(n_neg, TRAIN_SEEDS["negatives"])
    seen, keep = ng.seen(pictures)
    images.append(seen)
    kinds += [neg_kinds[i] for i in keep]
    labels = np.r_[np.zeros(pos), np.ones(len(seen))].astype(np.float32)
    return np.concatenate(images).astype(np.float32), labels, np.array(kinds)


def fit(x: np.ndarray, y: np.ndarray, epochs: int, seed: int, steps: int | None = None) -> judge_model.Judge:
    """Adam on binary cross-entropy, the two classes weighed equally, one-pixel shifts as augmentation."""
    torch.manual_seed(seed)
    net = judge_model.Judge()
    xt, yt = torch.as_tensor(x)[:, None], torch.as_tensor(y)
    pos_weight = torch.tensor(float((y == 0).sum()) / max(1.0, float(y.sum())))  # balance the classes

    def batch_loss(idx: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        dx, dy = torch.randint(-1, 2, (2,), generator=gen).tolist()
        xb = torch.roll(xt[idx], (dy, dx), (2, 3))  # preprocess centres by mass; a pixel of play
        return F.binary_cross_entropy_with_logits(net(xb), yt[idx], pos_weight=pos_weight)

    return small.fit(net, len(x), batch_loss, epochs, seed, 3e-3, 128, steps)


def threshold(scores: np.ndarray, y: np.ndarray) -> float:
    """The lowest threshold that flags at most MAX_FLAGGED of the digits among `scores`."""
    digits = np.sort(scores[y == 0])
    return float(digits[min(len(digits) - 1, int(np.floor(len(digits) * (1 - MAX_FLAGGED))))]) + 1e-6


def figures(scores: np.ndarray, y: np.ndarray, kinds: np.ndarray, thr: float) -> dict:
    """Share flagged, overall and per kind, at threshold `thr`."""
    flagged = scores >= thr
    out = {"digits_flagged": float(flagged[y == 0].mean()), "non_digits_flagged": float(flagged[y == 1].mean())}
    out["per_kind"] = {k: round(float(flagged[kinds == k].mean()), 4) for k in sorted(set(kinds))}
    return out


def save(net: judge_model.Judge, out: Path, meta: dict) -> None:
    """judge.safetensors and judge.json, written to temporary names and then renamed."""
    head = {"format_version": judge_model.FORMAT_VERSION, "channels": list(judge_model.CHANNELS)}
    judge_model.save_net(net, out, "judge", head, meta)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m train.judge", description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=0, help="the MNIST choice, the split, the weights and the order")
    p.add_argument("--negatives", type=int, default=6000, help="synthetic non-digits")
    p.add_argument("--mnist", type=int, default=12000, help="MNIST training digits as they are")
    p.add_argument("--canvas", type=int, default=3000, help="MNIST training digits put on a canvas")
    p.add_argument("--typed", type=int, default=1000, help="digits typed in the installed fonts")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--threads", type=int, default=1, help="torch threads (one: a busy 2-core machine makes two spin)")
    p.add_argument("--out", type=Path, default=judge_model.FOLDER, help="where judge.safetensors and judge.json go")
    p.add_argument("--dry-run", action="store_true", help="a few hundred examples and 20 steps; writes nothing")
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    t0 = time.perf_counter()
    sizes = (200, 200, 60, 40) if a.dry_run else (a.negatives, a.mnist, a.canvas, a.typed)
    x, y, kinds = data(*sizes, seed=a.seed)
    held = np.random.default_rng(a.seed).random(len(x)) < VAL_SHARE
    print(f"{len(x)} examples ({int(y.sum())} not digits) in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    net = fit(x[~held], y[~held], a.epochs, a.seed, steps=20 if a.dry_run else None)
    val = judge_model.scores(net, x[held])
    thr = threshold(val, y[held])
    held_out = figures(val, y[held], kinds[held], thr)
    print(json.dumps({"threshold": round(thr, 5), **held_out}), flush=True)
    if a.dry_run:
        return 0
    command = "python -m train.judge " + " ".join(argv if argv is not None else sys.argv[1:])
    save(net, a.out, {"threshold": thr, "command": command.strip(), "seed": a.seed,
                      "examples": {"train": int((~held).sum()), "held_out": int(held.sum())},
                      "held_out": held_out, "seconds": round(time.perf_counter() - t0, 1)})
    print(f"wrote {a.out} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Train the piece scorer (model/piece.py) and ship it to model/pretrained/piece/.

    python -m train.pieces [--seed 0] [--numbers 1000] [--mnist 6000] [--epochs 6] [--out DIR] [--dry-run]

Examples are the pieces model/segment.py's own candidate cuts make of touching numbers (train/numbers.py's
layout, train/styles.py's templates: never bench/synth.py's, which the figures are read on), drawn from
TRAIN_SEEDS (never bench/touching.py's 1 and 6007, nor 7919). A piece that holds most of one digit's
ink and little else is one whole digit (overlapping digits leave no cut that parts them exactly); one
that holds much of two digits, or only part of one, is not; those in between are left out. MNIST
training digits, whole, are more positives. A seeded fifth is held out for the figures piece.json
records with this command.
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

from model import piece as piece_model
from model import segment
from model.judge import save_net
from model.preprocess import layout
from train import small
from train.data import load_mnist
from train.numbers import INKED, touching_digits
from train.strokes import encode, shape
from train.styles import PLAIN, STYLES

TRAIN_SEEDS = {"numbers": 101, "mnist": 102}  # apart from bench/touching.py's 1 and 6007, and 7919
WHOLE, PURE, STRAY = 0.9, 0.8, 0.15  # one whole digit: this share of its ink, this pure, at most this of another's
PART, GLUED = 0.6, 0.4  # not one: under this share of any digit's ink, or this share of a second digit's
STYLED = 0.2  # the share of digits drawn in one of train/styles.py's world styles (where the digit has one)
VAL_SHARE = 0.2


def _strokes(ch: str, rng: np.random.Generator, slant: float, angle: float) -> list[np.ndarray]:
    styles = [t for d, t in STYLES.values() if d == int(ch)]
    template = styles[rng.integers(len(styles))] if styles and rng.random() < STYLED else PLAIN[int(ch)]
    return shape(template(rng), rng, 0.025, slant, angle)


def _work(ink: np.ndarray, f: int, shape_: tuple[int, int]) -> np.ndarray:
    """A digit's inked pixels at segment's working scale (any ink in a block of f × f, as model/ink.py reduces)."""
    h, w = shape_
    pad = np.zeros((h * f, w * f), bool)
    m = ink[:h * f, :w * f] > INKED
    pad[:m.shape[0], :m.shape[1]] = m
    return pad.reshape(h, f, w, f).any((1, 3))


def labelled_pieces(img: np.ndarray, digits: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(images (N, 28, 28), features (N, 3), labels (N,) 1 = one whole digit) of one number's candidate pieces."""
    lay = layout(img)
    if lay is None:
        return np.zeros((0, 28, 28), np.float32), np.zeros((0, piece_model.FEATURES), np.float32), np.zeros(0)
    plans, pieces = segment.candidates(lay)
    owned = [_work(d, lay.f, lay.mask.shape) & lay.mask for d in digits]
    totals = [max(1, int(o.sum())) for o in owned]
    h, w = lay.mask.shape
    keys, labels = [], []
    for i, (a, b) in pieces:
        g, cuts = lay.groups[i], plans[i][0]
        xs = np.arange(w)[None, :] - g.x0
        inside = g.cells & lay.mask & (xs >= cuts[a][:, None]) & (xs < cuts[b][:, None])
        n = max(1, int(inside.sum()))
        cover = np.array([(o & inside).sum() / t for o, t in zip(owned, totals, strict=True)])
        purity = np.array([(o & inside).sum() / n for o in owned])
        j = int(cover.argmax())
        others = np.delete(cover, j)
        if cover[j] >= WHOLE and purity[j] >= PURE and (others <= STRAY).all():
            label = 1
        elif cover[j] < PART or (others >= GLUED).any():
            label = 0
        else:
            continue
        keys.append((i, (a, b)))
        labels.append(label)
    if not keys:
        return np.zeros((0, 28, 28), np.float32), np.zeros((0, piece_model.FEATURES), np.float32), np.zeros(0)
    return (np.stack([pieces[k].image for k in keys]), segment.features(lay, plans, keys),
            np.array(labels, np.float32))


def mnist_wholes(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n MNIST training digits, and their features as a whole uncut group (width / height of the ink)."""
    x = load_mnist().x_train
    x = x[np.random.default_rng(seed).choice(len(x), n, replace=False)] / np.float32(255)
    m = x > INKED
    cols, rows = m.any(1), m.any(2)
    width = cols.shape[1] - cols[:, ::-1].argmax(1) - cols.argmax(1)
    height = rows.shape[1] - rows[:, ::-1].argmax(1) - rows.argmax(1)
    feats = np.zeros((n, piece_model.FEATURES), np.float32)
    feats[:, 0] = width / np.maximum(height, 1)
    return x.astype(np.float32), feats


def data(n_numbers: int, n_mnist: int):
    """(images, features, labels, kinds): the scorer's examples."""
    rng = np.random.default_rng(TRAIN_SEEDS["numbers"])
    xs, fs, ys, kinds = [], [], [], []
    made = 0
    while made < n_numbers:
        text = "".join(str(d) for d in rng.integers(0, 10, rng.integers(2, 6)))
        digits = touching_digits(text, rng, _strokes)
        if digits is None:
            continue
        made += 1
        x, f, y = labelled_pieces(encode(np.max(digits, axis=0), "alpha", rng), digits)
        xs.append(x)
        fs.append(f)
        ys.append(y)
        kinds += ["piece"] * len(y)
    x, f = mnist_wholes(n_mnist, TRAIN_SEEDS["mnist"])
    xs.append(x)
    fs.append(f)
    ys.append(np.ones(len(x), np.float32))
    kinds += ["mnist"] * len(x)
    return np.concatenate(xs), np.concatenate(fs), np.concatenate(ys), np.array(kinds)


def fit(x: np.ndarray, f: np.ndarray, y: np.ndarray, epochs: int, seed: int,
        steps: int | None = None) -> piece_model.Piece:
    """Adam on binary cross-entropy, the two classes weighed equally, one-pixel shifts as augmentation."""
    torch.manual_seed(seed)
    net = piece_model.Piece()
    xt, ft, yt = torch.as_tensor(x)[:, None], torch.as_tensor(f), torch.as_tensor(y)
    pos_weight = torch.tensor(float((y == 0).sum()) / max(1.0, float(y.sum())))

    def batch_loss(idx: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        dx, dy = torch.randint(-1, 2, (2,), generator=gen).tolist()
        xb = torch.roll(xt[idx], (dy, dx), (2, 3))
        return F.binary_cross_entropy_with_logits(net(xb, ft[idx]), yt[idx], pos_weight=pos_weight)

    return small.fit(net, len(x), batch_loss, epochs, seed, 3e-3, 128, steps)


def figures(logw: np.ndarray, y: np.ndarray, kinds: np.ndarray) -> dict:
    """Held-out shares called right at one half, per class and kind."""
    said = logw >= np.log(0.5)
    out = {"wholes_kept": float(said[y == 1].mean()), "non_wholes_caught": float((~said)[y == 0].mean())}
    out["per_kind"] = {k: round(float((said == (y == 1))[kinds == k].mean()), 4) for k in sorted(set(kinds))}
    return out


def save(net: piece_model.Piece, out: Path, meta: dict) -> None:
    """piece.safetensors and piece.json, written to temporary names and then renamed."""
    head = {"format_version": piece_model.FORMAT_VERSION, "channels": list(piece_model.CHANNELS)}
    save_net(net, out, "piece", head, meta)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m train.pieces", description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=0, help="the split, the weights and the order")
    p.add_argument("--numbers", type=int, default=1000, help="touching numbers whose candidate pieces are examples")
    p.add_argument("--mnist", type=int, default=6000, help="MNIST training digits, whole")
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--threads", type=int, default=1, help="torch threads (one: a busy 2-core machine makes two spin)")
    p.add_argument("--out", type=Path, default=piece_model.FOLDER, help="where piece.safetensors and piece.json go")
    p.add_argument("--dry-run", action="store_true", help="a few numbers and 20 steps; writes nothing")
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    t0 = time.perf_counter()
    x, f, y, kinds = data(*((20, 200) if a.dry_run else (a.numbers, a.mnist)))
    held = np.random.default_rng(a.seed).random(len(x)) < VAL_SHARE
    print(f"{len(x)} examples ({int(y.sum())} whole digits) in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    net = fit(x[~held], f[~held], y[~held], a.epochs, a.seed, steps=20 if a.dry_run else None)
    held_out = figures(piece_model.log_whole(net, x[held], f[held]), y[held], kinds[held])
    print(json.dumps(held_out), flush=True)
    if a.dry_run:
        return 0
    command = "python -m train.pieces " + " ".join(argv if argv is not None else sys.argv[1:])
    save(net, a.out, {"command": command.strip(), "seed": a.seed,
                      "examples": {"train": int((~held).sum()), "held_out": int(held.sum()),
                                   "whole": int(y.sum()), "not_whole": int((y == 0).sum())},
                      "held_out": held_out, "seconds": round(time.perf_counter() - t0, 1)})
    print(f"wrote {a.out} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

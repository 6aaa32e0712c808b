"""Train the number reader (model/reader.py) and ship it to model/pretrained/reader/.

    python -m train.reader [--seed 0] [--numbers 30000] [--epochs 12] [--workers 2] [--threads 2] [--out DIR]
                           [--dry-run]

Examples are numbers of 1-5 digits, neighbours touching (train/numbers.py's layout, drawn with train/pieces.py's mix of
train/styles.py's templates: never bench/synth.py's, which the figures are read on), from TRAIN_SEED (apart from
bench/touching.py's 1 and 6007, 7919, and the piece scorer's 101 and 102), each as ink at segment's working scale
(model.preprocess.layout, then model.reader.number_ink: the whole number, where segment gives the reader one group
of touching digits at a time, which is such a number too). Every tenth is held out for the figure reader.json
records: the share of held-out numbers read exactly. Adam, one-cycle, CTC loss; a shift of up to 2 pixels sideways
as augmentation. Making the numbers takes about a third of the 14 minutes on a 2-core CPU (about 25 ms each), so
`--workers` processes make them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from model import reader as reader_model
from model.judge import save_net
from model.preprocess import layout
from train import small
from train.numbers import touching_digits
from train.pieces import _strokes
from train.strokes import encode

TRAIN_SEED = 103
BATCH = 64
HELD_OUT = 10  # one number in this many


def numbers(n: int, stream: int) -> tuple[np.ndarray, list[str]]:
    """n numbers of stream `stream` (seeded [TRAIN_SEED, stream]): (n, HEIGHT, WIDTH) inputs and their texts."""
    rng = np.random.default_rng([TRAIN_SEED, stream])
    xs, texts = [], []
    while len(xs) < n:
        text = "".join(str(d) for d in rng.integers(0, 10, rng.integers(1, 6)))  # one: segment reads a group alone
        digits = touching_digits(text, rng, _strokes)
        lay = None if digits is None else layout(encode(np.max(digits, axis=0), "alpha", rng))
        if lay is not None:
            xs.append(reader_model.prepare(reader_model.number_ink(lay)))
            texts.append(text)
    return np.stack(xs), texts


def data(n: int, workers: int) -> tuple[np.ndarray, list[str]]:
    """n numbers, made in `workers` processes (each its own stream: the same numbers for the same n and workers)."""
    shares = [n // workers + (k < n % workers) for k in range(workers)]
    if workers == 1:
        return numbers(n, 0)
    with ProcessPoolExecutor(workers) as pool:
        parts = list(pool.map(numbers, shares, range(workers)))
    return np.concatenate([x for x, _ in parts]), [t for _, ts in parts for t in ts]


def _loss(net: reader_model.Reader, x: torch.Tensor, texts: list[str]) -> torch.Tensor:
    logp = F.log_softmax(net(x), -1).permute(1, 0, 2)  # (T, B, 11), as ctc_loss takes it
    targets = [torch.tensor([int(c) for c in t]) for t in texts]
    return F.ctc_loss(logp, torch.cat(targets), torch.full((len(texts),), logp.shape[0], dtype=torch.long),
                      torch.tensor([len(t) for t in targets]), blank=reader_model.BLANK, zero_infinity=True)


def fit(x: np.ndarray, texts: list[str], epochs: int, seed: int, steps: int | None = None) -> reader_model.Reader:
    """Adam on the CTC loss, a shift of up to 2 pixels sideways as augmentation."""
    torch.manual_seed(seed)
    net = reader_model.Reader()
    xt = torch.as_tensor(x)[:, None]

    def batch_loss(idx: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        shift = int(torch.randint(-2, 3, (1,), generator=gen))
        return _loss(net, torch.roll(xt[idx], shift, 3), [texts[i] for i in idx.tolist()])

    return small.fit(net, len(x), batch_loss, epochs, seed, 2e-3, BATCH, steps)


@torch.inference_mode()
def exact(net: reader_model.Reader, x: np.ndarray, texts: list[str]) -> float:
    """The share of numbers read exactly."""
    got = [s for i in range(0, len(x), 500) for s in reader_model.decode(net(torch.as_tensor(x[i:i + 500])[:, None]))]
    return float(np.mean([g == t for g, t in zip(got, texts, strict=True)])) if texts else 0.0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m train.reader", description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=0, help="the weights and the order")
    p.add_argument("--numbers", type=int, default=30000, help="touching numbers to learn from (a tenth held out)")
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--workers", type=int, default=2, help="processes that make the numbers")
    p.add_argument("--threads", type=int, default=2, help="torch threads while training")
    p.add_argument("--out", type=Path, default=reader_model.FOLDER, help="where reader.safetensors and reader.json go")
    p.add_argument("--dry-run", action="store_true", help="a few numbers and 20 steps; writes nothing")
    a = p.parse_args(argv)
    if a.numbers < HELD_OUT or a.epochs < 1 or not 1 <= a.workers <= 64:
        p.error(f"--numbers must be at least {HELD_OUT}, --epochs at least 1, --workers 1 to 64")
    torch.set_num_threads(a.threads)
    t0 = time.perf_counter()
    x, texts = data(40 if a.dry_run else a.numbers, 1 if a.dry_run else a.workers)
    held = np.arange(len(x)) % HELD_OUT == 0
    keep = [t for t, h in zip(texts, held, strict=True) if not h]
    print(f"{len(x)} numbers in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    net = fit(x[~held], keep, a.epochs, a.seed, steps=20 if a.dry_run else None)
    figures = {"held_out_exact": exact(net, x[held], [t for t, h in zip(texts, held, strict=True) if h])}
    print(json.dumps(figures), flush=True)
    if a.dry_run:
        return 0
    command = "python -m train.reader " + " ".join(argv if argv is not None else sys.argv[1:])
    head = {"format_version": reader_model.FORMAT_VERSION, "channels": list(reader_model.CHANNELS)}
    save_net(net, a.out, "reader", head, {
        "command": command.strip(), "seed": a.seed, "figures": figures,
        "examples": {"train": int((~held).sum()), "held_out": int(held.sum())},
        "seconds": round(time.perf_counter() - t0, 1)})
    print(f"wrote {a.out} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Whole numbers read right when their digits touch, and when they do not (model/segment.py).

Two sets, each from a tuning seed (develop on it) and a test seed (never tuned on; tests/test_touching.py
asserts TARGET on it): numbers of 2-5 touching digits on the number canvas (bench/synth_numbers.py), and
bench/synth.py's 2-4 digit numbers with gaps, which the cutting must not make worse. The digits are cut
once, scored by both shipped models together as the Draw page does and by the piece scorer
(model/piece.py); then each model reads them. Also the time of one reading (cutting, preprocessing, both
models and the scorer, one torch thread), and how often a reading says it is unsure: of the numbers read
wrong (the more the better) and of those read right (a needless warning).

    python -m bench.touching [--n 300] [--sets tuning test] [--models MLP CNN] [--slivers-baseline N]

(-m: bench/queue.py would shadow the queue module.)

--models takes the two models the page would answer with (shipped names or run folders; default mlp cnn):
both cut the digits together, as on the page, so a retrained MLP can change the CNN's figure too.

--reach also prints, for the pixels, how often a right reading was among the cuts at all: some chain of the
candidate pieces whose digits (what the models together are surest of, as the reading scores them) spell the
number. It bounds what a better choice among those cuts could reach; the rest needs other cuts, or another
reader.

--slivers-baseline N times N pixel readings of each set's touching numbers twice, taking turns at going first:
as they are, and with each piece's slivers found by labelling the whole work mask, as before 2026-12-03
(model.preprocess.Layout._slivers labels only the box of the piece's ink). Both must read the same.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import synth, synth_numbers  # noqa: E402
from model import components, preprocess, segment  # noqa: E402
from model.predict import load, probabilities  # noqa: E402

SEEDS = {"tuning": 1, "test": 6007}  # tuned on seed 1; the test seed was chosen before any figure on it was seen
NAMES = ("mlp", "cnn")


def scorer(models: list) -> segment.Score:
    return lambda images: [probabilities(m, images) for m in models]


@dataclass(frozen=True)
class Figures:
    right: np.ndarray                 # per model: the share of numbers read right in whole
    per_len: dict[int, np.ndarray]    # the same per count of digits
    seconds: list[float]              # each reading's time
    told_wrong: float                 # of the numbers a model read wrong, the share whose reading said "not sure"
    told_right: float                 # ... of those both read right (a needless warning)


def whole_numbers(images, texts, score: segment.Score, pens=None) -> Figures:
    """How each model reads the numbers in whole, and how often the reading says it is unsure (the Draw
    page's "I may have split them wrong", shown when digits touch). With `pens`, each drawing's strokes go
    with it, as the number canvas sends them."""
    right, per_len, seconds = np.zeros(len(NAMES)), defaultdict(lambda: np.zeros(len(NAMES) + 1)), []
    said_wrong, said_right = [], []
    for j, (img, text) in enumerate(zip(images, texts, strict=True)):
        t = time.perf_counter()
        r = segment.read(img, score, pens[j] if pens is not None else None)
        seconds.append(time.perf_counter() - t)
        got = np.array(["".join(map(str, p.argmax(1))) == text for p in r.probs] if r.parts else [False] * len(NAMES))
        right += got
        per_len[len(text)] += np.concatenate([got, [1]])
        (said_right if got.all() else said_wrong).append(r.touching and r.unsure)
    share = lambda said: float(np.mean(said)) if said else 0.0  # noqa: E731
    return Figures(right / max(len(texts), 1), {k: v[:-1] / v[-1] for k, v in sorted(per_len.items())}, seconds,
                   share(said_wrong), share(said_right))


def reachable(img: np.ndarray, text: str, score: segment.Score) -> bool:
    """Whether some chain of the pixel reading's candidate pieces, group after group, reads `text`: each piece
    read as the digit the models together are surest of (what the reading scores it as), each group's chain
    one that segment._spelled finds. A number both models read right is reachable; one that is not could only
    be read right with other cuts."""
    lay = preprocess.layout(img)
    if lay is None:
        return text == ""
    plans, pieces = segment.candidates(lay)
    keys = list(pieces)
    if not keys:
        return False
    agreed = segment.mean_logs(score(np.stack([pieces[k].image for k in keys]))).argmax(1)
    digit = {k: str(int(d)) for k, d in zip(keys, agreed, strict=True)}
    anyhow = dict.fromkeys(keys, 0.0)  # every piece worth the same: only whether a chain spells counts
    at = {0}  # how many of text's digits the groups so far can have read
    for i, (_, _, spans, _) in enumerate(plans):
        at = {m for n in at for m in range(n + 1, len(text) + 1)
              if segment._spelled(i, spans, anyhow, digit, text[n:m]) is not None}
    return len(text) in at


def _whole_mask_slivers(lay: preprocess.Layout, ink: np.ndarray) -> np.ndarray:
    """The slivers of a piece as Layout.piece found them before: the whole work mask labelled for each piece."""
    bits = components.label(ink)
    return preprocess._cells(bits, bits.area < preprocess.SLIVER * bits.area.max(), ink.shape)


def slivers_against_baseline(images, score: segment.Score) -> tuple[np.ndarray, np.ndarray]:
    """Each pixel reading's seconds as it is and with _whole_mask_slivers, the two taking turns at going first;
    AssertionError if any reading differs."""
    cropped = preprocess.Layout._slivers
    now, before = [], []
    try:
        for k, img in enumerate(images):
            got = {}
            for which in (("now", "before") if k % 2 else ("before", "now")):
                preprocess.Layout._slivers = cropped if which == "now" else _whole_mask_slivers
                t = time.perf_counter()
                r = segment.read(img, score)
                (now if which == "now" else before).append(time.perf_counter() - t)
                got[which] = [(p.image.tobytes(), p.box) for p in r.parts]
            assert got["now"] == got["before"], f"reading {k} differs"
    finally:
        preprocess.Layout._slivers = cropped
    return np.array(now), np.array(before)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=300, help="touching numbers per seed (numbers with gaps: half)")
    p.add_argument("--sets", nargs="+", choices=list(SEEDS), default=["tuning"])
    p.add_argument("--models", nargs=2, default=list(NAMES), metavar=("MLP", "CNN"),
                   help="the two models that answer, shipped names or run folders (default: mlp cnn)")
    p.add_argument("--reach", action="store_true",
                   help="also print how often a right reading was among the pixel cuts at all")
    p.add_argument("--slivers-baseline", type=int, default=0, metavar="N",
                   help="also time N pixel readings against the whole-mask labelling of before (paired)")
    a = p.parse_args(argv)
    torch.set_num_threads(1)  # as the Draw page answers: one thread per answer
    score = scorer([load(name)[0] for name in a.models])
    for which in a.sets:
        seed = SEEDS[which]
        drawn, written, strokes = synth_numbers.touching_numbers(a.n, seed, strokes=True)
        gaps = synth.number_drawings(a.n // 2, seed)
        if a.slivers_baseline:
            now, before = slivers_against_baseline(drawn[:a.slivers_baseline], score)
            print(f"{which} (seed {seed}) pixels, slivers  n={len(now):4d}  median {1000 * np.median(now):.0f} ms "
                  f"against {1000 * np.median(before):.0f} ms labelling the whole mask: "
                  f"ratio {np.median(now / before):.2f} per reading, {now.sum() / before.sum():.2f} in all "
                  "(the same readings)")
        if a.reach:
            reach = np.mean([reachable(img, text, score) for img, text in zip(drawn, written, strict=True)])
            print(f"{which} (seed {seed}) pixels, reach   n={len(written):4d}  a right reading among the cuts: "
                  f"{reach:.2%} (the most a better choice among them could read)")
        for label, (images, texts, pens) in (("touching, pixels", (drawn, written, None)),
                                             ("touching, strokes", (drawn, written, strokes)),
                                             ("with gaps", (*gaps, None))):
            f = whole_numbers(images, texts, score, pens)
            lens = "  ".join(f"{k} digits: " + "/".join(f"{x:.0%}" for x in v) for k, v in f.per_len.items())
            print(f"{which} (seed {seed}) {label:17s} n={len(texts):4d}  " +
                  "  ".join(f"{n} {x:6.2%}" for n, x in zip(a.models, f.right, strict=True)) +
                  f"   [{lens}]   said unsure: {f.told_wrong:.0%} of wrong, {f.told_right:.1%} of right"
                  f"   median {1000 * np.median(f.seconds):.0f} ms, max {1000 * max(f.seconds):.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

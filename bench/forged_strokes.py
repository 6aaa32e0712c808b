"""What a number's strokes cost to read, as a canvas sends them and as a forger would (model/pen.py, model/segment.py).

The number canvas sends each stroke's points beside its PNG, and a forged websocket message can send any
list that model/pen.py's `parse` keeps. A reading draws every stroke as a mask, so its time grows with the
points and the brush. Four sets, each read as now and as before 2026-12-03 (no limit on the paint, a mask
drawn through every point: the baseline, run in the same process, the two taking turns at going first):

- drawn: bench/synth_numbers.py's touching numbers with the strokes they were drawn with (about 3.5 px apart);
- dense: the same strokes resampled 0.25 px apart, as a 1000 Hz mouse's coalesced events send them;
- forged: 16 strokes of 1,250 points each, brush 128, every point anywhere on the canvas;
- forged, kept: 16 walks of 1,250 points at brush 128, as long as `parse` now keeps (95% of PAINTED canvases).

A list that `parse` refuses, and a drawing of more than segment.MOST_STROKES strokes, is read by its pixels. A
fifth set, scribbles, times that: a wavy band across the canvas, 240 px down to 16 px tall, which the pixel
path would over-cut into hundreds of digits. Its baseline is model/segment.py without its bounds on the work
(MOST_CUTS and MOST_PIECES lifted, as before they were added).

For each: the median and largest seconds of one reading (one torch thread, as the answer worker reads),
and, for the drawn sets, how many numbers read the same both ways. The answer worker is taken for stuck
after `ui.models.WORKER_WAIT_S` (2 s).

    python -m bench.forged_strokes [--n 100] [--forged 10]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import numpy as np
import torch
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import synth_numbers  # noqa: E402
from bench.touching import NAMES, SEEDS, scorer  # noqa: E402
from model import pen, segment  # noqa: E402
from model.predict import load  # noqa: E402

W, H = 560, 240


def masks_every_point(strokes: list[pen.Stroke], shape: tuple[int, int], grow: float = pen.GROW) -> np.ndarray:
    """pen.masks as it was before: each stroke drawn through every point it has (grow=0: the brush alone)."""
    out = np.zeros((len(strokes), *shape), bool)
    for i, (xy, brush) in enumerate(strokes):
        out[i] = pen.brushed(xy, brush, shape, grow)
    return out


def dense(strokes: list[pen.Stroke], apart: float = 0.25) -> list[pen.Stroke]:
    """Each stroke resampled along its path every `apart` px."""
    out = []
    for xy, brush in strokes:
        along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])
        at = np.arange(0.0, along[-1] + 1e-6, apart) if along[-1] > 0 else np.zeros(1)
        out.append((np.column_stack([np.interp(at, along, xy[:, 0]), np.interp(at, along, xy[:, 1])])
                    .astype(np.float32), brush))
    return out


def forged(rng: np.random.Generator, kept: bool) -> list:
    """16 strokes of 1,250 points at brush 128, as a websocket message would send them: anywhere on the canvas,
    or (kept) a walk just short enough for `pen.parse` to keep."""
    step = 0.95 * pen.PAINTED * W * H / (16 * 1249 * (128 + pen.GROW))  # px a point
    raw = []
    for _ in range(16):
        if kept:
            turn = np.cumsum(rng.normal(0, 0.5, 1250))
            x, y = W / 2 + np.cumsum(step * np.cos(turn)), H / 2 + np.cumsum(step * np.sin(turn))
            x, y = np.abs(np.mod(x, 2 * W) - W), np.abs(np.mod(y, 2 * H) - H)  # bounced back onto the canvas
        else:
            x, y = rng.uniform(0, W, 1250), rng.uniform(0, H, 1250)
        raw.append([128.0, *np.column_stack([x, y]).ravel().tolist()])
    return raw


def taking_turns(now: Callable[[], segment.Reading], before: Callable[[], segment.Reading],
                 first_now: bool) -> tuple[float, float, bool]:
    """Seconds of one reading now and one before, in the order asked, and whether they read the same digits."""
    times, got = {}, {}
    for which in (("now", "before") if first_now else ("before", "now")):
        t = time.perf_counter()
        r = (now if which == "now" else before)()
        times[which] = time.perf_counter() - t
        got[which] = ["".join(map(str, p.argmax(1))) for p in r.probs]
    return times["now"], times["before"], got["now"] == got["before"]


def read_both(img: np.ndarray, raw, score: segment.Score, first_now: bool) -> tuple[float, float, bool]:
    """taking_turns for a reading with strokes: now, and before (no paint limit, masks through every point).
    `raw` is a stroke list as the canvas sends it (checked by pen.parse now; taken as it is before) or already
    strokes."""
    sent = isinstance(raw[0], list)

    def before() -> segment.Reading:
        strokes = [(np.asarray(s[1:], np.float32).reshape(-1, 2), float(s[0])) for s in raw] if sent else raw
        with mock.patch.object(pen, "masks", masks_every_point):
            return segment.read(img, score, strokes)

    return taking_turns(lambda: segment.read(img, score, pen.parse(raw, W, H) if sent else raw), before, first_now)


def scribble(height: int) -> np.ndarray:
    """A wavy band `height` px tall across the number canvas, brush 8, as RGBA (ink in alpha)."""
    im = Image.new("L", (W, H), 0)
    xs = np.arange(10, W - 10, 3)
    ys = H / 2 + (height / 2 - 4) * np.sin(xs / 7.0)
    ImageDraw.Draw(im).line(list(zip(xs.tolist(), ys.tolist(), strict=True)), fill=255, width=8)
    out = np.zeros((H, W, 4), np.uint8)
    out[..., 3] = np.asarray(im)
    return out


def read_unbounded_both(img: np.ndarray, score: segment.Score, first_now: bool) -> tuple[float, float, bool]:
    """taking_turns for a pixel reading: now, and with segment's bounds on the work lifted."""
    def before() -> segment.Reading:
        with mock.patch.multiple(segment, MOST_CUTS=10**9, MOST_PIECES=10**9):
            return segment.read(img, score)

    return taking_turns(lambda: segment.read(img, score), before, first_now)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=100, help="touching numbers of the tuning seed, drawn and dense")
    p.add_argument("--forged", type=int, default=10, help="forged stroke lists of each kind")
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    score = scorer([load(name)[0] for name in NAMES])
    drawn, _, pens = synth_numbers.touching_numbers(a.n, SEEDS["tuning"], strokes=True)
    rng = np.random.default_rng(20261203)
    block = np.zeros((H, W, 4), np.uint8)
    block[20:220, 20:540, 3] = 255  # ink under the whole of every forged stroke, so the strokes are used
    sets = {"drawn": [(img, s) for img, s in zip(drawn, pens, strict=True)],
            "dense (0.25 px)": [(img, dense(s)) for img, s in zip(drawn, pens, strict=True)],
            "forged": [(block, forged(rng, False)) for _ in range(a.forged)],
            "forged, kept": [(block, forged(rng, True)) for _ in range(a.forged)],
            "scribbles": [(scribble(h), None) for h in (240, 200, 160, 120, 90, 60, 45, 30, 22, 16)]}
    for name, items in sets.items():
        now, before, same = [], [], []
        for k, (img, raw) in enumerate(items):
            t_now, t_before, alike = (read_both(img, raw, score, k % 2 == 0) if raw is not None
                                      else read_unbounded_both(img, score, k % 2 == 0))
            now.append(t_now)
            before.append(t_before)
            same.append(alike)
        kept = (sum(pen.parse(raw, W, H) is not None for _, raw in items)
                if items[0][1] is not None and isinstance(items[0][1][0], list) else None)
        print(f"{name:16s} n={len(items):3d}  now: median {1000 * np.median(now):4.0f} ms, "
              f"max {1000 * max(now):5.0f} ms"
              f"   before: median {1000 * np.median(before):4.0f} ms, max {1000 * max(before):5.0f} ms"
              f"   ratio of medians {np.median(now) / np.median(before):.2f}"
              + (f"   read the same: {sum(same)}/{len(same)}" if kept is None else
                 f"   strokes kept by pen.parse: {kept}/{len(items)}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

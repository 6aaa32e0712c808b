"""Read a number whose digits may touch: try the ways to cut each group of strokes, keep the surest.

model.preprocess.split_digits cuts a group only when it is much wider than one digit, so digits that
touch were often read as one. Here each group wide enough to hold two digits is over-cut: seams (one
column a row, leaning with slanted digits, through as little ink as possible) and thin columns. Every
run of pieces between two cuts is preprocessed (a neighbour's slivers dropped) and all of them go to
the models in one batch (`score`: images → each model's probabilities). A piece's worth is the mean
log-probability of the digit the models together are surest of, plus WHOLE times the piece scorer's
log-probability that it is exactly one whole digit (model/piece.py: it sees the piece with its width for
the group's height and the ink under its cuts), less a cost for a shape unlike one digit (too wide; too
thin for anything but a 1). Per group, the chain of pieces with the best total wins (dynamic
programming); the quick reading of split_digits gets a small head start.

From the number canvas the strokes come too (model/pen.py), and they part touching digits where the pixels
cannot: `read` then tries each run of strokes next to each other (left to right, the number's slant taken
out) as one digit, scored as above, and keeps the best chain of runs. It falls back to the pixels when the
strokes do not cover the picture's ink (a forged value, an upload).

Each group wide enough to be cut is also read whole, with no cuts, by the number reader (model/reader.py), where
one is installed. Where it reads other digits than the chosen chain spells, the best chain of that group's pieces
that spells them wins, unless it costs more than HELD_MARGIN; where none does, the reading says it is unsure. A group
whose chosen pieces the judge flags (a drawn letter) is left as the models cut it, so that the page can say so.

Why the piece scorer: the models alone are sure of a 0 with a 1 glued to its side (they read "0"), and
of a thin sliver as a "1" (BENCHMARKS.md has the figures). With no scorer file, the models' sureness
alone chooses. numpy, and the piece scorer's torch; the score function is the caller's (the Draw page:
the models that load; the bench: both).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from model import judge, pen, piece, reader
from model.ink import to_ink
from model.preprocess import Layout, Preprocessed, layout, preprocess

Score = Callable[[np.ndarray], list[np.ndarray]]  # (N, 28, 28) → each model's (N, 10) probabilities

LEAN = 0.15  # what a seam pays per column it moves sideways, in ink (a pixel of full ink costs 1)
MAY_HOLD_TWO = 0.45  # a group at least this wide for its height may be two digits ("11", "10")
NARROWEST = 0.1  # a piece narrower than this share of the group's height is no digit (a 1 is ~0.15)
WIDEST = 1.25  # ... nor one wider than this
PER_DIGIT = 6  # seams and thin columns tried per digit the group could hold (a 0.6-height-wide digit; tuned)
MOST_CUTS = 48  # ... but no more of each than this a group (eight digits' worth): a thin scribble across the canvas
MOST_PIECES = 600  # a reading scores at most this many pieces (a drawn number: at most 230); past it, each group
#                    is read by its quick cuts alone. Both bound what a scribble costs (bench/forged_strokes.py)
CUT_COST = 0.0  # log-sureness a cut must buy (tuned: the width costs below already hold cuts back)
WIDE = 0.8  # a piece wider than this share of its group's height is less likely one digit ...
WIDE_COST = 4.0  # ... by this much log-sureness per unit of width past it (models are sure of two digits too)
THIN = 0.35  # a piece narrower than this, read as anything but a 1, is likely half a digit ...
THIN_COST = 10.0  # ... by this much per unit of width short of it
PLAIN_BONUS = 0.3  # the quick reading's head start
WHOLE = 1.0  # the piece scorer's log-probability of "one whole digit" counts this much (model/piece.py)
UNSURE_MARGIN = 0.5  # a cut group whose reading with another count of digits came this close: say so
SURE = 0.7  # ... and one with a digit that a model gives less than this, or that the models read differently
HELD_MARGIN = 10.0  # a group's chain is held to the reader's digits when that costs at most this log-sureness (tuned)
RUN = 4  # from strokes: at most this many strokes make one digit
MOST_STROKES = 16  # more strokes than this (a scribble, a forged list) are read by the pixels: each run is a piece
INKED = 0.3  # ink above this counts as the stroke's
MISSED = 0.02  # strokes that leave more than this share of the inked pixels uncovered are not the picture's
SHORT = 0.7  # a run of strokes shorter than this share of the number's height is part of a digit ...
SHORT_COST = 10.0  # ... by this much log-sureness per unit of height short of it
APART = 0.3  # two strokes of a run side by side (their pen paths share less than this of the narrower's width, upright)
APART_COST = 3.0  # ... are likely two digits: this much log-sureness each such pair


@dataclass(frozen=True)
class Reading:
    parts: list[Preprocessed]  # one per digit, left to right
    probs: list[np.ndarray]  # what score gave for them: each model's (len(parts), 10) probabilities
    split: list[bool]  # per digit: it was cut out of strokes that touch a neighbour
    unsure: bool  # a group was cut, and another count of digits scored nearly as well, or its digits are in doubt

    @property
    def touching(self) -> bool:
        return any(self.split)


def _columns(ink: np.ndarray, height: int) -> list[int]:
    """Thin columns of a group's ink profile: its local minima, lowest first, at least NARROWEST of the
    height apart and from the ends, PER_DIGIT per digit the group can hold."""
    w = len(ink)
    edge = max(1, int(NARROWEST * height))
    if w < 2 * edge + 1:
        return []
    inner = np.arange(edge, w - edge)
    low = inner[(ink[inner] <= ink[inner - 1]) & (ink[inner] <= ink[inner + 1])]
    return _spread(low, ink[low], edge, _most(w, height))


def _most(width: int, height: int) -> int:
    """How many cuts of one kind a group this wide for its height tries: PER_DIGIT per digit it could hold."""
    return min(MOST_CUTS, max(1, int(PER_DIGIT * width / (0.6 * height))))


def _spread(where: np.ndarray, cost: np.ndarray, apart: int, most: int) -> list[int]:
    """Up to `most` of the positions, cheapest first, each at least `apart` from those taken."""
    taken: list[int] = []
    for x in where[np.argsort(cost, kind="stable")]:
        if all(abs(int(x) - e) >= apart for e in taken):
            taken.append(int(x))
        if len(taken) == most:
            break
    return taken


def _seams(patch: np.ndarray) -> list[np.ndarray]:
    """Cuts from the top of a group to its bottom through as little ink as possible: one column per row,
    moving at most one column a row, so that a cut can lean with slanted digits (seam carving's dynamic
    programme). The best seam ending at each bottom column; those at its local minima are returned,
    lowest first, at least NARROWEST of the height apart and from the ends, PER_DIGIT per digit it can hold."""
    gh, gw = patch.shape
    edge = max(1, int(NARROWEST * gh))
    if gw < 2 * edge + 1:
        return []
    total = patch[0].astype(np.float64)
    came = np.zeros((gh, gw), np.int8)  # -1, 0, +1: the column the best path came from, relative
    for y in range(1, gh):
        pad = np.pad(total, 1, constant_values=np.inf)
        options = np.stack([pad[:-2] + LEAN, pad[1:-1], pad[2:] + LEAN])  # from x-1, x, x+1
        came[y] = np.argmin(options, 0) - 1
        total = patch[y] + options.min(0)
    inner = np.arange(edge, gw - edge)
    low = inner[(total[inner] <= total[inner - 1]) & (total[inner] <= total[inner + 1])]
    ends = _spread(low, total[low], edge, _most(gw, gh))
    seams = []
    for x in ends:
        path = np.empty(gh, np.int64)
        path[-1] = x
        for y in range(gh - 1, 0, -1):
            path[y - 1] = path[y] + came[y, path[y]]
        seams.append(path)
    return seams


def _chains(points: list[int], logp: dict[tuple[int, int], float]) -> dict[int, tuple[float, list[int]]]:
    """For each count of pieces, the best chain from points[0] to points[-1] (its total and its cuts),
    by dynamic programming over the scored spans: each cut after the first piece costs CUT_COST. Empty when
    no span was scored (every piece of a group empty)."""
    if not points:
        return {}
    first = points[0]
    best: dict[int, dict[int, tuple[float, list[int]]]] = {first: {0: (0.0, [first])}}
    for b in points[1:]:
        here: dict[int, tuple[float, list[int]]] = {}
        for a in points:
            if a < b and a in best and (a, b) in logp:
                for n, (t, cuts) in best[a].items():
                    v = t + logp[(a, b)] - (CUT_COST if n else 0.0)
                    if v > here.get(n + 1, (-np.inf,))[0]:
                        here[n + 1] = (v, cuts + [b])
        if here:
            best[b] = here
    return best.get(points[-1], {})


def candidates(lay: Layout) -> tuple[list[tuple], dict[tuple[int, tuple[int, int]], Preprocessed]]:
    """Each group's plan (_plan) and every non-empty piece worth scoring, keyed (group, (a, b))."""
    plans = [_plan(lay, i) for i in range(len(lay.groups))]
    if sum(len(spans) for _, _, spans, _ in plans) > MOST_PIECES:  # a scribble: the quick reading only
        plans = [(cuts, plain, list(zip(plain[:-1], plain[1:])), where) for cuts, plain, _, where in plans]
    pieces = {(i, ab): lay.piece(i, cuts[ab[0]], cuts[ab[1]])
              for i, (cuts, _, spans, _) in enumerate(plans) for ab in spans}
    return plans, {key: p for key, p in pieces.items() if not p.empty}


def features(lay: Layout, plans: list[tuple], keys: list) -> np.ndarray:
    """(N, piece.FEATURES) of the pieces: width for the group's height, and the ink under each cut (the
    share of the group's rows where it runs through ink; none at the group's own ends)."""
    under: dict[tuple[int, int], float] = {}
    out = np.zeros((len(keys), piece.FEATURES), np.float32)
    for j, (i, (a, b)) in enumerate(keys):
        g, (cuts, _, _, where) = lay.groups[i], plans[i]
        w = g.x1 - g.x0
        for c in (a, b):
            if (i, c) not in under:
                col = cuts[c][g.y0:g.y0 + g.height]
                inside = (col > 0) & (col < w)
                rows = np.arange(g.y0, g.y0 + g.height)[inside]
                under[(i, c)] = float((lay.soft * g.cells)[rows, g.x0 + col[inside]].sum()) / max(g.height, 1)
        out[j] = (where[b] - where[a]) / max(g.height, 1), under[(i, a)], under[(i, b)]
    return out


def _worth(images: np.ndarray, logs: np.ndarray, feats: np.ndarray, heights: np.ndarray) -> np.ndarray:
    """Each piece's worth, from the models' `mean_logs`: their log-sureness of the digit they agree on, the piece
    scorer's log-probability of one whole digit, less the costs of a shape unlike one digit (feats[:, 0] is its
    width for its group's height; `heights` its own height for the group's, 1 when not known)."""
    agreed = logs.argmax(1)  # the digit the models together are surest of
    net = piece.load()
    whole = piece.log_whole(net, images, feats) if net is not None else np.zeros(len(images))
    return np.array([float(logs[j, agreed[j]]) + WHOLE * float(whole[j])
                     - _shape_cost(float(feats[j, 0]), 1, int(agreed[j]))
                     - SHORT_COST * max(0.0, SHORT - float(heights[j])) for j in range(len(images))])


def read(img: np.ndarray, score: Score, strokes: list[pen.Stroke] | None = None) -> Reading:
    """The digits of a drawn number, touching ones cut where the models are surest of most whole digits (held to
    what the number reader reads, when one is installed and they differ); by its strokes when they are given and
    cover its ink."""
    if strokes and (by_strokes := _read_strokes(img, score, strokes)) is not None:
        return by_strokes
    lay = layout(img)
    if lay is None:
        return Reading([], [], [], False)
    plans, pieces = candidates(lay)
    keys = list(pieces)
    images = np.stack([pieces[k].image for k in keys]) if keys else None
    probs = score(images) if keys else []
    logp, digit = {}, {}
    if keys:
        logs = mean_logs(probs)
        worth = _worth(images, logs, features(lay, plans, keys), np.ones(len(keys)))
        logp = {key: float(v) for key, v in zip(keys, worth, strict=True)}
        digit = {key: str(int(d)) for key, d in zip(keys, logs.argmax(1), strict=True)}
    chosen = [_choose(plain, {ab: logp[(i, ab)] for ab in spans if (i, ab) in logp})
              for i, (_, plain, spans, _) in enumerate(plans)]
    doubt = [d for _, d in chosen]
    chains = [c for c, _ in chosen]
    told = False  # the reader read a group otherwise, and no chain of its pieces spells what it read
    for i, seen in _reader_texts(lay, plans).items():
        mine = _pieces_of(i, chains[i], pieces)
        flagged = judge.not_digit(np.stack([pieces[k].image for k in mine])) if mine else None
        if flagged is not None and flagged.any():
            continue  # a mark the judge says is no digit (a letter) stays as the models cut it, to be shown as one
        if seen != "".join(digit[k] for k in mine):
            spelled = _spelled(i, plans[i][2], logp, digit, seen)
            had = sum(logp[k] for k in mine)
            told |= spelled is None
            if spelled is not None and had - spelled[0] <= HELD_MARGIN:
                chains[i], doubt[i] = spelled[1], False
    row = {k: j for j, k in enumerate(keys)}
    parts, rows, split, unsure = [], [], [], told
    for i, chain in enumerate(chains):
        mine = _pieces_of(i, chain, pieces)
        parts += [pieces[k] for k in mine]
        rows += [row[k] for k in mine]
        split += [len(mine) > 1] * len(mine)
        unsure |= len(mine) > 1 and (doubt[i] or _doubtful(probs, [row[k] for k in mine]))  # a group we cut
    return Reading(parts, [p[rows] for p in probs] if rows else [], split, unsure)


def mean_logs(probs: list[np.ndarray]) -> np.ndarray:
    """(N, 10): the models' mean log-probabilities of each piece's digits; its argmax is the digit they together are
    surest of, the one a piece is scored as."""
    return np.mean([np.log(np.clip(p, 1e-6, 1.0)) for p in probs], axis=0)


def _pieces_of(i: int, chain: list[int], pieces: dict) -> list[tuple[int, tuple[int, int]]]:
    """The keys of group i's non-empty pieces between the chain's cuts, left to right."""
    return [(i, ab) for ab in zip(chain[:-1], chain[1:]) if (i, ab) in pieces]


def _reader_texts(lay: Layout, plans: list[tuple]) -> dict[int, str]:
    """What the number reader (model/reader.py) reads in each group wide enough to have been cut, alone; {} with no
    reader installed."""
    wide = [i for i, (_, plain, spans, _) in enumerate(plans) if len(spans) > len(plain) - 1]
    net = reader.load() if wide else None
    if net is None:
        return {}
    return {i: reader.read_number(net, lay.soft * lay.groups[i].cells) for i in wide}


def _spelled(i: int, spans: list[tuple[int, int]], logp: dict, digit: dict,
             text: str) -> tuple[float, list[int]] | None:
    """The total and the cuts of group i's best chain of pieces whose digits spell `text`; None when no chain does."""
    scored = [ab for ab in spans if (i, ab) in logp]
    if not scored or not text:
        return None
    first, last = min(a for a, _ in scored), max(b for _, b in scored)  # as _chains: from the first scored cut
    best = {(first, 0): (0.0, [first])}  # (cut, digits spelled) → (total, cuts)
    for a, b in scored:  # sorted: every chain that ends at cut a is final before the spans from a are taken
        for n in range(len(text)):
            here = best.get((a, n))
            if here is None or digit[(i, (a, b))] != text[n]:
                continue
            v = here[0] + logp[(i, (a, b))]
            if v > best.get((b, n + 1), (-np.inf,))[0]:
                best[(b, n + 1)] = (v, here[1] + [b])
    return best[(last, len(text))] if (last, len(text)) in best else None


def _doubtful(probs: list[np.ndarray], rows: list[int]) -> bool:
    """Whether the models read any of these pieces differently, or one of them gives one less than SURE: a
    cut in the wrong place leaves pieces like that (BENCHMARKS.md has how often)."""
    if not rows:
        return False
    tops = [p[rows] for p in probs]
    return (any(float(t.max(1).min()) < SURE for t in tops)
            or any(not np.array_equal(t.argmax(1), tops[0].argmax(1)) for t in tops[1:]))


def _read_strokes(img: np.ndarray, score: Score, strokes: list[pen.Stroke]) -> Reading | None:
    """The number read by runs of its strokes; None when the strokes do not cover the picture's ink."""
    ink, polarity = to_ink(img)
    if polarity != "alpha" or len(strokes) > MOST_STROKES:
        return None
    inked = ink > INKED
    covers = pen.masks(strokes, ink.shape)
    if not inked.any() or (inked & ~covers.any(0)).sum() > MISSED * inked.sum():
        return None
    own = [(inked & m) for m in covers]
    kept = [i for i, o in enumerate(own) if o.any()]
    ys, xs = np.nonzero(inked)
    height = int(np.ptp(ys)) + 1
    yc = float(ys.mean())
    slant = float(np.clip(np.cov(xs, ys)[0, 1] / max(float(ys.var()), 1.0), -0.6, 0.6))  # x moved per row down
    box, line = {}, {}
    for i in kept:
        y, x = np.nonzero(own[i])
        upright = x - slant * (y - yc)
        box[i] = (float(upright.min()), float(upright.max()) + 1, int(y.min()), int(y.max()) + 1, float(upright.mean()))
        xy = strokes[i][0]
        pts = xy[:, 0] - slant * (xy[:, 1] - yc)  # the pen's path, without the brush: touching ink does not count
        line[i] = (float(pts.min()), float(pts.max()))
    kept.sort(key=lambda i: box[i][4])
    n = len(kept)
    layers = covers[kept].sum(0)  # per pixel, how many strokes cover it
    spans, pieces, feats, tall, apart = [], [], [], [], []
    for a in range(n):
        for b in range(a + 1, min(n, a + RUN) + 1):
            run = kept[a:b]
            x0, x1 = min(box[i][0] for i in run), max(box[i][1] for i in run)
            if b > a + 1 and x1 - x0 > WIDEST * height:
                break
            mine = covers[run].sum(0)
            mask, rest = mine > 0, layers > mine  # its strokes' pixels; those of any other stroke
            p = _stroke_piece(img, mask)
            if p.empty:
                continue
            y0, y1 = min(box[i][2] for i in run), max(box[i][3] for i in run)
            touch = float((inked & mask & rest).any(1).sum()) / height  # rows where it meets other strokes' ink
            spans.append((a, b))
            pieces.append(p)
            feats.append(((x1 - x0) / height, touch, touch))
            tall.append((y1 - y0) / height)
            apart.append(sum(_shared(line[i], line[j]) < APART for i, j in zip(run[:-1], run[1:])))
    if not pieces:
        return None
    images = np.stack([p.image for p in pieces])
    probs = score(images)
    worth = _worth(images, mean_logs(probs), np.array(feats, np.float32), np.array(tall)) - APART_COST * np.array(apart)
    counts = _chains(list(range(n + 1)), {ab: float(v) for ab, v in zip(spans, worth, strict=True)})
    if not counts:
        return None
    cuts, close = _surest(counts)
    row = {ab: j for j, ab in enumerate(spans)}
    rows = [row[ab] for ab in zip(cuts[:-1], cuts[1:])]
    parts = [pieces[r] for r in rows]
    inks = [inked & covers[kept[a:b]].any(0) for a, b in zip(cuts[:-1], cuts[1:])]
    split = [any((m & o).any() for j, o in enumerate(inks) if j != i) for i, m in enumerate(inks)]
    doubt = close or _doubtful(probs, [r for r, s in zip(rows, split, strict=True) if s])
    return Reading(parts, [p[rows] for p in probs], split, any(split) and doubt)


def _shared(a: tuple, b: tuple) -> float:
    """How much of the narrower of two pen paths' upright x-ranges the other's covers (0: side by side)."""
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0])) / max(min(a[1] - a[0], b[1] - b[0]), 1.0)


def _stroke_piece(img: np.ndarray, mask: np.ndarray) -> Preprocessed:
    """The picture's ink under `mask` alone, as one digit; its box in the picture's pixels."""
    rows, cols = np.nonzero(mask.any(1))[0], np.nonzero(mask.any(0))[0]
    y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    crop = np.array(img[y0:y1, x0:x1])
    crop[..., 3] = np.where(mask[y0:y1, x0:x1], crop[..., 3], 0)
    p = preprocess(crop)
    if p.empty:
        return p
    bx0, by0, bx1, by1 = p.box
    return replace(p, box=(bx0 + x0, by0 + y0, bx1 + x0, by1 + y0))


def _shape_cost(width: float, height: int, digit: int) -> float:
    """What a piece's shape costs, in log-sureness: wider than WIDE of its group's height, it may be two
    digits; thinner than THIN and not read as a 1, it may be half of one."""
    aspect = width / max(height, 1)
    cost = WIDE_COST * max(0.0, aspect - WIDE)
    return cost + (THIN_COST * max(0.0, THIN - aspect) if digit != 1 else 0.0)


def _plan(lay: Layout, i: int) -> tuple[list[np.ndarray], list[int], list[tuple[int, int]], np.ndarray]:
    """Group i's cuts worth trying, left to right (each (H,) columns relative to the group, one per work
    row), which of them make the quick reading, every span (a, b) of cuts worth scoring as one digit,
    and each cut's mean column."""
    g = lay.groups[i]
    h = lay.mask.shape[0]
    w = g.x1 - g.x0
    cuts = [np.full(h, c) for c in lay.plain_cuts(i)]
    n_plain = len(cuts)
    if w >= MAY_HOLD_TWO * g.height:
        patch = (lay.soft * g.cells)[g.y0:g.y0 + g.height, g.x0:g.x1]
        straight = [np.full(g.height, c) for c in _columns(g.ink, g.height)]
        near = max(1.0, NARROWEST * g.height / 2)  # a column this near a seam (or a quick cut) adds nothing
        taken = [float(c[0]) for c in cuts]
        for seam in _seams(patch) + straight:
            if any(abs(float(seam.mean()) - x) < near for x in taken):
                continue
            taken.append(float(seam.mean()))
            full = np.empty(h, np.int64)
            full[:g.y0], full[g.y0:g.y0 + g.height], full[g.y0 + g.height:] = seam[0], seam, seam[-1]
            cuts.append(full)
    where = np.array([c[g.y0:g.y0 + g.height].mean() for c in cuts])
    order = np.argsort(where, kind="stable")
    rank = np.empty(len(order), int)
    rank[order] = np.arange(len(order))
    plain = sorted(int(rank[j]) for j in range(n_plain))
    cuts, where = [cuts[j] for j in order], where[order]
    spans = set(zip(plain[:-1], plain[1:]))
    if len(cuts) > n_plain:
        spans |= {(a, b) for a in range(len(cuts)) for b in range(a + 1, len(cuts))
                  if NARROWEST * g.height <= where[b] - where[a] <= WIDEST * g.height}
        spans.add((0, len(cuts) - 1))  # the whole group, however wide: the plain reading of one digit
    return cuts, plain, sorted(spans), where


def _choose(plain: list[int], logp: dict[tuple[int, int], float]) -> tuple[list[int], bool]:
    """The cuts of one group (its columns, first 0, last its width) and whether a reading with another
    number of digits came within UNSURE_MARGIN of it."""
    spans = list(zip(plain[:-1], plain[1:]))
    if all(ab in logp for ab in spans) and len(logp) == len(spans):
        return plain, False  # nothing else was tried: a group one digit wide
    points = sorted({a for a, _ in logp} | {b for _, b in logp})
    counts = _chains(points, logp)
    if all(ab in logp for ab in spans):
        quick = sum(logp[ab] for ab in spans) - CUT_COST * (len(spans) - 1) + PLAIN_BONUS
        if quick >= counts.get(len(spans), (-np.inf,))[0]:
            counts[len(spans)] = (quick, plain)
    if not counts:
        return plain, False
    return _surest(counts)


def _surest(counts: dict[int, tuple[float, list[int]]]) -> tuple[list[int], bool]:
    """The cuts of the best chain of `_chains`, and whether a chain with another count of digits came within
    UNSURE_MARGIN of it."""
    n = max(counts, key=lambda k: counts[k][0])
    rival = max((t for k, (t, _) in counts.items() if k != n), default=-np.inf)
    return counts[n][1], counts[n][0] - rival < UNSURE_MARGIN

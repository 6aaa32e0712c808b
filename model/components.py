"""Connected components of an ink mask, and which of them make the digit (specks far away do not).

Labelled on a block-reduced grid by run-length union-find: fast enough for every stroke. It is
the one thing here scipy.ndimage.label would do; 60 lines, checked against a flood fill in
tests/test_preprocess.py, cost less than a new dependency that model/ must carry onto a GPU box.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.raster import block_reduce

GRID_SIDE = 96  # components are labelled on a mask block-reduced to at most this long side
TINY = 0.15  # a component smaller than this fraction of the largest one is a speck ...
NEAR = 0.25  # ... unless it lies within this fraction of the digit's long side from it
STROKE_PIECE = 0.3  # a piece this long, relative to the digit's long side, is a stroke of it ...
DOT_NEAR = 0.1  # ... a shorter one (a dot, a tick) belongs to the digit only this near
MIN_DIGIT = 0.04  # a digit shorter than this fraction of the image's long side is specks only


@dataclass(frozen=True)
class Parts:
    labels: np.ndarray  # (gh, gw) int32 component id per grid cell, -1 = background
    f: int  # grid cell = f x f work pixels
    area: np.ndarray  # (n,) cells per component
    bbox: np.ndarray  # (n, 4) x0, y0, x1, y1 in grid cells, exclusive ends


def label(mask: np.ndarray, f: int | None = None) -> Parts:
    """8-connected components of a mask, labelled on a block-reduced grid by run-length union-find.

    f, the grid's block size, comes from the mask's shape unless given: a crop of a larger mask cut at
    multiples of that mask's f, given its f, has the same cells and components as the whole has there."""
    h, w = mask.shape
    f = f or max(1, -(-max(h, w) // GRID_SIDE))
    grid = block_reduce(mask, f, np.any, False)
    gh, gw = grid.shape
    d = np.diff(np.pad(grid, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    rows, starts = np.nonzero(d == 1)
    _, ends = np.nonzero(d == -1)  # exclusive; np.nonzero is row-major so runs pair up
    n = len(rows)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first = np.searchsorted(rows, np.arange(gh + 1)).tolist()
    s, e = starts.tolist(), ends.tolist()
    for y in range(1, gh):
        i, j, i1, j1 = first[y - 1], first[y], first[y], first[y + 1]
        while i < i1 and j < j1:
            if s[i] <= e[j] and s[j] <= e[i]:  # overlapping or diagonal neighbours
                a, b = find(i), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            if e[i] < e[j]:
                i += 1
            else:
                j += 1
    roots = np.array([find(i) for i in range(n)], dtype=np.int64)
    _, comp = np.unique(roots, return_inverse=True)
    k = int(comp.max()) + 1 if n else 0
    lengths = ends - starts
    labels = np.full(gh * gw, -1, np.int32)
    if n:  # paint each run: its cells are row*gw + start + 0..length-1
        offs = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        labels[np.repeat(rows * gw + starts, lengths) + offs] = np.repeat(comp, lengths)
    bbox = np.zeros((k, 4), np.int64)
    bbox[:, :2] = np.iinfo(np.int64).max
    np.minimum.at(bbox[:, 0], comp, starts)
    np.minimum.at(bbox[:, 1], comp, rows)
    np.maximum.at(bbox[:, 2], comp, ends)
    np.maximum.at(bbox[:, 3], comp, rows + 1)
    return Parts(labels.reshape(gh, gw), f, np.bincount(comp, weights=lengths, minlength=k), bbox)


def gap(a: np.ndarray, b: np.ndarray) -> float:
    """Chebyshev distance between two boxes (0 when they touch or overlap)."""
    return float(max(0, a[0] - b[2], b[0] - a[2], a[1] - b[3], b[1] - a[3]))


def _stroke_cells(parts: Parts, c: int) -> float:
    """Stroke width of component c in grid cells: 2 * area / perimeter (cell edges to outside)."""
    x = np.pad(parts.labels == c, 1)
    edges = np.count_nonzero(x[1:] != x[:-1]) + np.count_nonzero(x[:, 1:] != x[:, :-1])
    return 2.0 * float(parts.area[c]) / max(edges, 1)


def main_parts(parts: Parts) -> np.ndarray:
    """Which components make up the digit: the largest, and what lies near the growing digit.

    How near depends on the piece. A stroke (at least STROKE_PIECE of the digit's long side and
    3 stroke widths long: a 4 or 5 drawn in two strokes, a 9's tail drawn apart) joins within NEAR
    of the digit's long side. A dot, two dots or a short tick only within DOT_NEAR (the end of a 7
    where the pen bounced): further away, it is not the digit, however heavy the brush. Components
    shorter than MIN_DIGIT of the image are specks and never start a digit, so a few dots of equal
    size do not make one.
    """
    extent = (parts.bbox[:, 2:] - parts.bbox[:, :2]).max(1)
    sized = extent >= MIN_DIGIT * max(parts.labels.shape)
    area = np.where(sized, parts.area, 0) if sized.any() else parts.area
    keep = np.zeros(len(area), bool)
    first = int(np.argmax(area))
    keep[first] = True
    box = parts.bbox[first].copy()
    stroke = extent >= 3 * _stroke_cells(parts, first)
    grew = True
    while grew:
        grew = False
        long = max(box[2] - box[0], box[3] - box[1])
        for c in np.nonzero(~keep)[0]:
            near = NEAR if stroke[c] and extent[c] >= STROKE_PIECE * long else DOT_NEAR
            if gap(parts.bbox[c], box) <= near * long + 1:
                keep[c], grew = True, True
                box = np.concatenate([np.minimum(box[:2], parts.bbox[c, :2]), np.maximum(box[2:], parts.bbox[c, 2:])])
    return keep

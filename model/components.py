"""Connected components of an ink mask, and which of them make the digit (specks far away do not).

Labelled on a block-reduced grid by run-length union-find: fast enough for every stroke.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.raster import block_reduce

GRID_SIDE = 96  # components are labelled on a mask block-reduced to at most this long side
TINY = 0.15  # a component smaller than this fraction of the largest one is a speck ...
NEAR = 0.25  # ... unless it lies within this fraction of the digit's long side from it
MIN_DIGIT = 0.04  # a digit shorter than this fraction of the image's long side is specks only


@dataclass(frozen=True)
class Parts:
    labels: np.ndarray  # (gh, gw) int32 component id per grid cell, -1 = background
    f: int  # grid cell = f x f work pixels
    area: np.ndarray  # (n,) cells per component
    bbox: np.ndarray  # (n, 4) x0, y0, x1, y1 in grid cells, exclusive ends


def label(mask: np.ndarray) -> Parts:
    """8-connected components of a mask, labelled on a block-reduced grid by run-length union-find."""
    h, w = mask.shape
    f = max(1, -(-max(h, w) // GRID_SIDE))
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


def main_parts(parts: Parts) -> np.ndarray:
    """Which components make up the digit: all but the tiny ones far from the growing main mass.

    Components shorter than MIN_DIGIT of the image are specks whatever their number, so a few dots
    of equal size do not make a digit; the main mass then starts from the largest alone.
    """
    extent = (parts.bbox[:, 2:] - parts.bbox[:, :2]).max(1)
    sized = extent >= MIN_DIGIT * max(parts.labels.shape)
    area = np.where(sized, parts.area, 0) if sized.any() else parts.area
    keep = area >= TINY * area.max()
    if not sized.any():
        keep = area == area.max()
        keep[np.nonzero(keep)[0][1:]] = False
    box = np.concatenate([parts.bbox[keep, :2].min(0), parts.bbox[keep, 2:].max(0)])
    grew = True
    while grew:  # specks near the digit (a detached flag or dot of a stroke) join it
        grew = False
        reach = NEAR * max(box[2] - box[0], box[3] - box[1]) + 1
        for c in np.nonzero(~keep)[0]:
            if gap(parts.bbox[c], box) <= reach:
                keep[c], grew = True, True
                box = np.concatenate([np.minimum(box[:2], parts.bbox[c, :2]), np.maximum(box[2:], parts.bbox[c, 2:])])
    return keep

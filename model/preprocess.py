"""Turn any picture of a digit into an MNIST-style 28x28 input, the way MNIST itself was made.

MNIST digits are white ink on black, size-normalised so the long side of the bounding box is
20 px (aspect kept, anti-aliased), then pasted into 28x28 with the centre of mass at the centre.
The pipeline here reproduces that from canvas drawings, uploads and photos of paper:

    ink map (alpha or luminance, polarity, background removed)  -> to_ink
    threshold + connected components, drop far specks          -> segment, label, main_parts
    crop, stroke-width normalisation, fit 20 px, centre by mass -> _digit

Everything is numpy plus Pillow (for resizing; files are decoded by model/image_file.py), and pure:
same array in, same result out. Nothing here raises on a valid-shaped array; "nothing to read" is an empty result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from model.components import MIN_DIGIT, NEAR, TINY, Parts, gap, label, main_parts
from model.ink import EDGE, ink_from_planes, planes, segment, to_ink  # noqa: F401 - to_ink is part of this module's API
from model.raster import block_reduce, filter3

WORK_SIDE = 512  # large inputs are block-averaged to at most this long side before the heavy steps
FIT = 20  # MNIST fits the long side of the digit into 20 px ...
SIDE = 28  # ... of a 28x28 field
SUB = 4  # a stroke-width change is made at 4x (112x112), then area-averaged down: quarter-pixel steps
CENTRE = 14.0  # MNIST's mean centre of mass, in 28x28 index coordinates (measured on t10k)
SLIVER = 0.12  # in a piece cut out of touching digits, bits smaller than this share of the largest are the neighbour's
STROKE = (1.9, 3.3)  # widths (2*area/perimeter, px) outside this are brought to its edge; 70% of MNIST is inside


@dataclass(frozen=True)
class Preprocessed:
    image: np.ndarray | None  # (28, 28) float32 in [0, 1], 0 = background, 1 = ink; None when empty
    box: tuple[int, int, int, int] | None  # crop (x0, y0, x1, y1) in input pixels, x1/y1 exclusive
    scale: float  # output pixels per input pixel applied to the crop
    shift: tuple[float, float]  # (dx, dy) in 28x28 pixels moved from box-centred to mass-centred
    polarity: str  # "alpha", "dark-on-light" or "light-on-dark"
    reason: str | None = None  # why nothing could be read ("empty", "specks only"), None otherwise

    @property
    def empty(self) -> bool:
        return self.image is None


def _nothing(polarity: str, reason: str) -> Preprocessed:
    return Preprocessed(None, None, 0.0, (0.0, 0.0), polarity, reason)


# ---------------------------------------------------------------- one digit into 28x28


def _stroke_width(a: np.ndarray) -> float:
    """Mean stroke width of soft ink: 2 * area / perimeter, the perimeter as the summed gradient."""
    p = np.pad(a, 1)
    gx, gy = np.diff(p, axis=1)[:-1, :], np.diff(p, axis=0)[:, :-1]
    return 2.0 * float(a.sum()) / max(float(np.sqrt(gx * gx + gy * gy).sum()), 1e-6)


def _digit(crop: np.ndarray, polarity: str, box: tuple[int, int, int, int], per_work: float) -> Preprocessed:
    """A cleaned soft-ink crop -> MNIST 28x28: stroke width, fit 20 px, centre of mass at 14.

    box is the crop in input pixels and per_work the input pixels per crop pixel.
    """
    if float(crop.max()) <= 0:
        return _nothing(polarity, "empty")
    h, w = crop.shape
    long = max(h, w)
    # Stroke width in the 28x28 output is c * F for a fit size F. Thin or heavy strokes are
    # dilated or eroded by r output px, which also grows the box by 2r, so F = FIT - 2r keeps the
    # final box at 20 px; solving for the width landing on the edge of MNIST's range gives F.
    c = _stroke_width(crop) / long
    fit, lo_hi = float(FIT), None
    if c * FIT < STROKE[0]:
        lo_hi = STROKE[0]
    elif c * FIT > STROKE[1]:
        lo_hi = STROKE[1]
    if lo_hi is not None:
        fit = float(np.clip((FIT - lo_hi) / max(1.0 - c, 0.2), 12.0, 26.0))
    steps = int(round((FIT - fit) / 2 * SUB))
    # Without a stroke change the crop is resized straight to its 28x28 size (an MNIST digit, 20 px
    # already, is copied as it is); a stroke change is made at SUB x finer and area-averaged down.
    sub = SUB if steps else 1
    s = fit * sub / long
    ih, iw = max(1, round(h * s)), max(1, round(w * s))
    resample = Image.BOX if s < 1 else Image.BILINEAR  # area averaging for downscales, as MNIST
    big = np.asarray(Image.fromarray(crop.astype(np.float32)).resize((iw, ih), resample))
    big = np.pad(np.clip(big, 0, 1), max(steps, 0) + 1)
    if steps:
        shaped = filter3(big, np.maximum if steps > 0 else np.minimum, abs(steps), disc=True, pad=0)
        big = shaped if float(shaped.max()) > 0.05 else big  # never erode a digit away
    # paste so the centre of mass lands within half a pixel of CENTRE, moving by whole output
    # pixels as MNIST did: a sub-pixel move would blur every stroke
    n = SIDE * sub
    ys, xs = np.arange(big.shape[0]), np.arange(big.shape[1])
    mass = float(big.sum())
    cy, cx = float(ys @ big.sum(1)) / mass, float(xs @ big.sum(0)) / mass
    target = CENTRE * sub + (sub - 1) / 2  # centre of output pixel 14 in the fine grid

    def offset(c: float, size: int) -> int:
        return int(np.clip(round((target - c) / sub) * sub, min(0, n - size), max(0, n - size)))

    oy, ox = offset(cy, big.shape[0]), offset(cx, big.shape[1])
    canvas = np.zeros((n, n), np.float32)
    ty, tx = slice(max(oy, 0), min(oy + big.shape[0], n)), slice(max(ox, 0), min(ox + big.shape[1], n))
    canvas[ty, tx] = big[ty.start - oy : ty.stop - oy, tx.start - ox : tx.stop - ox]
    out = block_reduce(canvas, sub) if sub > 1 else canvas
    out = np.clip(out / max(float(out.max()), 1e-6), 0.0, 1.0).astype(np.float32)
    shift = ((ox - (n - big.shape[1]) / 2) / sub, (oy - (n - big.shape[0]) / 2) / sub)
    return Preprocessed(out, box, fit / (long * per_work), shift, polarity)


# ---------------------------------------------------------------- public entry points


def _analyse(img: np.ndarray):
    """Work-resolution soft ink, mask, components and the facts needed to map back to the input."""
    lum, is_alpha, f = planes(img, WORK_SIDE)
    ink, polarity = ink_from_planes(lum, is_alpha)
    soft, mask = segment(ink)
    parts = label(mask) if mask.any() else None
    return soft, mask, parts, polarity, f


def _cells(parts: Parts, wanted: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Work-resolution mask of the grid cells whose component is in the boolean array `wanted`."""
    lab = parts.labels
    grid = (lab >= 0) & wanted[np.maximum(lab, 0)]
    return np.repeat(np.repeat(grid, parts.f, 0), parts.f, 1)[: shape[0], : shape[1]]


def _cut(soft, mask, keep_px, drop_px, polarity, f, in_shape) -> Preprocessed:
    """Crop the kept ink tightly (its faint edges included), blank out what is not the digit and
    make the 28x28."""
    m = mask & keep_px
    rows, cols = np.nonzero(m.any(1))[0], np.nonzero(m.any(0))[0]
    y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    if max(y1 - y0, x1 - x0) < max(2.0, MIN_DIGIT * max(mask.shape)):
        return _nothing(polarity, "specks only")
    # the soft ink reaches EDGE px beyond the mask: widen the box by that, then trim empty lines
    y0, x0, y1, x1 = max(y0 - EDGE, 0), max(x0 - EDGE, 0), min(y1 + EDGE, mask.shape[0]), min(x1 + EDGE, mask.shape[1])
    crop = np.where(drop_px[y0:y1, x0:x1], 0.0, soft[y0:y1, x0:x1])
    rows, cols = np.nonzero(crop.any(1))[0], np.nonzero(crop.any(0))[0]
    crop = crop[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    y0, x0, y1, x1 = y0 + rows[0], x0 + cols[0], y0 + rows[-1] + 1, x0 + cols[-1] + 1
    H, W = in_shape
    box = (int(x0 * f), int(y0 * f), int(min(x1 * f, W)), int(min(y1 * f, H)))
    return _digit(crop, polarity, box, float(f))


def preprocess(img: np.ndarray) -> Preprocessed:
    """One digit in any image -> MNIST-style 28x28 (or an empty result saying why)."""
    soft, mask, parts, polarity, f = _analyse(img)
    if parts is None:
        return _nothing(polarity, "empty")
    keep = main_parts(parts)
    return _cut(soft, mask, _cells(parts, keep, mask.shape), _cells(parts, ~keep, mask.shape),
                polarity, f, np.shape(img)[:2])


def _groups(parts: Parts) -> list[list[int]]:
    """Components grouped into digits, left to right: specks dropped, strokes overlapping in x merged."""
    big = np.nonzero(parts.area >= TINY * parts.area.max())[0]
    groups = {int(b): [int(b)] for b in big}
    for c in np.nonzero(parts.area < TINY * parts.area.max())[0]:
        gaps = [(gap(parts.bbox[c], parts.bbox[b]) / max(np.ptp(parts.bbox[b].reshape(2, 2), 0)), b) for b in big]
        dist, b = min(gaps)
        if dist <= NEAR:  # a piece near a digit belongs to it; far ones are specks
            groups[int(b)].append(int(c))
    boxes = {g: parts.bbox[m].min(0)[:2].tolist() + parts.bbox[m].max(0)[2:].tolist() for g, m in groups.items()}
    merged = True
    while merged:  # a 4 or 5 drawn in two strokes: x-ranges overlapping by over half the narrower
        merged = False
        for a in list(groups):
            for b in list(groups):
                if a < b and a in groups and b in groups:
                    A, B = boxes[a], boxes[b]
                    overlap = min(A[2], B[2]) - max(A[0], B[0])
                    if overlap > 0.5 * min(A[2] - A[0], B[2] - B[0]):
                        groups[a] += groups.pop(b)
                        boxes[a] = [min(A[0], B[0]), min(A[1], B[1]), max(A[2], B[2]), max(A[3], B[3])]
                        merged = True
    return [groups[g] for g in sorted(groups, key=lambda g: boxes[g][0])]


def _cuts(ink_cols: np.ndarray, k: int) -> list[int]:
    """Columns splitting k touching digits: the emptiest column in the middle half of the window
    around each expected boundary, i * width / k."""
    step = len(ink_cols) / k
    cuts = [0]
    for i in range(1, k):
        a, b = int((i - 0.25) * step), int((i + 0.25) * step)
        cuts.append(a + int(np.argmin(ink_cols[a : max(b, a + 1)])))
    return cuts + [len(ink_cols)]


@dataclass(frozen=True)
class Group:
    """One group of strokes of a number: a digit, or several that touch."""
    wanted: np.ndarray  # (n,) bool: which components belong to it
    cells: np.ndarray  # work-resolution mask of its grid cells
    x0: int  # first inked column, work pixels
    x1: int  # last inked column + 1
    y0: int  # first inked row
    height: int  # inked rows, work pixels
    ink: np.ndarray  # (x1 - x0,) its soft ink per column: thin columns are where touching digits meet


@dataclass(frozen=True)
class Layout:
    """A drawing of several digits, analysed once: its groups left to right, and what cutting one needs."""
    soft: np.ndarray
    mask: np.ndarray
    parts: Parts
    polarity: str
    f: int  # input pixels per work pixel
    shape: tuple[int, int]  # the input's (H, W)
    groups: list[Group]
    blank: dict = field(default_factory=dict, repr=False, compare=False)  # group -> others(group)

    def typical(self) -> float:
        """Width / height of one digit here: the median group when there are three or more (most are
        single digits then), else a usual handwritten digit's."""
        aspects = [g.height and (g.x1 - g.x0) / g.height for g in self.groups]
        return float(np.clip(np.median(aspects) if len(aspects) > 2 else 0.7, 0.5, 0.9))

    def plain_cuts(self, i: int) -> list[int]:
        """The quick reading of group i: k pieces for a group k typical digits wide, cut at the emptiest
        column near each expected boundary. Columns relative to the group, first 0, last its width."""
        g = self.groups[i]
        aspect, typical = (g.x1 - g.x0) / max(g.height, 1), self.typical()
        k = int(round(aspect / typical)) if aspect > 1.3 * typical else 1
        return _cuts(g.ink, k)

    def others(self, i: int) -> np.ndarray:
        """The cells of every group but i, blanked in i's pieces (made once: each piece needs them)."""
        if i not in self.blank:
            self.blank[i] = _cells(self.parts, ~self.groups[i].wanted, self.mask.shape)
        return self.blank[i]

    def _slivers(self, ink: np.ndarray) -> np.ndarray:
        """The cells of the bits of `ink` smaller than SLIVER of its largest. Labelled in the box of its grid
        cells, on the whole mask's grid (same f, box at its cell edges): the same bits, a fraction of the work."""
        f, (h, w) = self.parts.f, ink.shape
        rows, cols = np.nonzero(ink.any(1))[0], np.nonzero(ink.any(0))[0]
        y0, x0 = rows[0] // f * f, cols[0] // f * f
        y1, x1 = min(-(-(rows[-1] + 1) // f) * f, h), min(-(-(cols[-1] + 1) // f) * f, w)
        bits = label(ink[y0:y1, x0:x1], f)
        out = np.zeros_like(ink)
        out[y0:y1, x0:x1] = _cells(bits, bits.area < SLIVER * bits.area.max(), (y1 - y0, x1 - x0))
        return out

    def piece(self, i: int, left, right) -> Preprocessed:
        """Group i's ink between two cuts as one digit, the neighbours' strokes blanked. A cut is a column
        or, for strokes that lean, one column per work row ((H,) ints); both relative to the group."""
        g = self.groups[i]
        h, w = self.mask.shape
        xs = np.arange(w)[None, :] - g.x0
        between = (xs >= np.broadcast_to(left, (h,))[:, None]) & (xs < np.broadcast_to(right, (h,))[:, None])
        keep = g.cells & between
        if not (keep & self.mask).any():
            return _nothing(self.polarity, "empty")
        drop = self.others(i) | ~between
        if not (np.broadcast_to(left, (h,)).max() <= 0 and np.broadcast_to(right, (h,)).min() >= g.x1 - g.x0):
            # a cut leaves slivers of the neighbour's strokes: keep only the bits of some size
            slivers = self._slivers(keep & self.mask)
            keep, drop = keep & ~slivers, drop | slivers
        return _cut(self.soft, self.mask, keep, drop, self.polarity, self.f, self.shape)


def layout(img: np.ndarray) -> Layout | None:
    """The groups of a drawing of several digits, left to right; None when there is no ink."""
    soft, mask, parts, polarity, f = _analyse(img)
    if parts is None:
        return None
    groups = []
    for members in _groups(parts):
        wanted = np.zeros(len(parts.area), bool)
        wanted[members] = True
        cells = _cells(parts, wanted, mask.shape)
        inked = cells & mask
        cols, rows = np.nonzero(inked.any(0))[0], np.nonzero(inked.any(1))[0]
        x0, x1 = int(cols[0]), int(cols[-1] + 1)
        groups.append(Group(wanted, cells, x0, x1, int(rows[0]), int(rows[-1] + 1 - rows[0]),
                            (soft * cells)[:, x0:x1].sum(0)))
    return Layout(soft, mask, parts, polarity, f, tuple(np.shape(img)[:2]), groups)


def split_digits(img: np.ndarray) -> list[Preprocessed]:
    """Several digits written left to right -> one Preprocessed each, boxes in input pixels.

    The quick reading, with no model: a group much wider than the typical digit is cut into that many.
    model/segment.py tries other cuts and keeps the one the models are surest of."""
    lay = layout(img)
    if lay is None:
        return []
    out = []
    for i in range(len(lay.groups)):
        cuts = lay.plain_cuts(i)
        for c0, c1 in zip(cuts[:-1], cuts[1:], strict=True):
            part = lay.piece(i, c0, c1)
            out += [] if part.empty else [part]
    return out

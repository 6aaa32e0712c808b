"""The ink map: any image → (H, W) float32 in [0, 1], 1 = ink, with the background taken out.

Alpha when the image has real transparency (a canvas), else luminance with its polarity detected;
on paper, uneven light is estimated and divided out before a robust (Otsu) threshold.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from model.raster import block_reduce, filter3

MIN_CONTRAST = 0.2  # ink must be this much darker (lighter) than the paper, relative to it
EDGE = 2  # anti-aliased edges reach this many px beyond the thresholded ink


def planes(img: np.ndarray, max_side: int | None) -> tuple[np.ndarray, bool, int]:
    """The signal to read ink from, float32 in [0, 1], block-averaged by an integer factor to
    <= max_side: the alpha channel when it shows real transparency (is_alpha), else luminance."""
    img = np.asarray(img)
    if img.ndim == 3 and img.shape[2] in (1, 3, 4):
        chans = [img[..., c] for c in range(img.shape[2])]
    elif img.ndim == 2:
        chans = [img]
    else:
        raise ValueError(f"expected an (H, W), (H, W, 1), (H, W, 3) or (H, W, 4) image, got {img.shape}")
    if img.size == 0:
        raise ValueError(f"empty image of shape {img.shape}")
    f = 1 if max_side is None else max(1, -(-max(img.shape[:2]) // max_side))
    # a float image may be in [0, 1] or [0, 255]; integers are 0..255 unless they say otherwise
    if img.dtype == np.uint8:
        unit = 255.0
    else:
        top = float(np.nanmax(np.where(np.isfinite(img), img, 0))) if img.dtype.kind == "f" else float(img.max())
        unit = 1.0 if img.dtype.kind in "fb" and top <= 1.0 else (65535.0 if top > 255 else 255.0)

    def plane(c: np.ndarray) -> np.ndarray:
        if f > 1 and c.dtype == np.uint8:
            c = np.asarray(Image.fromarray(np.ascontiguousarray(c)).reduce(f))  # C speed on big photos
        c = c.astype(np.float32) * np.float32(1 / unit)
        if img.dtype.kind == "f":
            c = np.nan_to_num(c, nan=0.0, posinf=1.0, neginf=0.0)
        if f > 1 and img.dtype != np.uint8 and min(c.shape) >= f:
            c = block_reduce(c, f, np.mean, "crop")
        return np.minimum(np.maximum(c, 0.0), 1.0, dtype=np.float32)

    # a canvas with a transparent background: alpha is the ink, whatever colour it is drawn in;
    # an opaque RGBA (alpha all ~255) carries its drawing in the colours instead
    if len(chans) == 4:
        alpha = plane(chans[3])
        if float(alpha.min()) < 0.8:
            return alpha, True, f
    if len(chans) < 3:
        return plane(chans[0]), False, f
    return 0.299 * plane(chans[0]) + 0.587 * plane(chans[1]) + 0.114 * plane(chans[2]), False, f


def _block_min_opened(v: np.ndarray, div: int, k: int) -> np.ndarray:
    """Minima over blocks of 1/div of the long side, then an opening of k 3x3 steps on that grid."""
    grid = block_reduce(v, max(2, -(-max(v.shape) // div)), np.min)
    return filter3(filter3(grid, np.minimum, k), np.maximum, k)


def _background(v: np.ndarray) -> np.ndarray:
    """Large-scale background of an ink-bright image v: block minima, opened, bilinearly upsampled.

    A coarse grid (1/16 of the long side, opened by 1) tells a flat ground (a canvas) from uneven
    light. Only for uneven light, a finer grid (1/64, opened by 4: strokes under 1/8 of the image
    vanish) follows sharp shadow edges, which the coarse grid would blur into dark bands read as ink.
    A digital picture (a canvas, an MNIST image) has most of its pixels at exactly its lowest value:
    that is its ground, even where a heavy stroke fills whole blocks that the opening would keep.
    """
    h, w = v.shape
    lowest = float(v.min())
    if np.count_nonzero(v <= lowest + 1e-4) > 0.5 * v.size:
        return np.full_like(v, lowest)
    if min(h, w) < 2 * max(4, -(-max(h, w) // 16)):
        return np.full_like(v, np.median(v))
    grid = _block_min_opened(v, 16, 1)
    if float(grid.max() - grid.min()) < 0.03:  # flat, as on a canvas: skip the upsampling cost
        return np.full_like(v, float(np.median(grid)))
    if min(h, w) >= 128:
        grid = _block_min_opened(v, 64, 4)
    return np.asarray(Image.fromarray(grid.astype(np.float32)).resize((w, h), Image.BILINEAR))


def _light_background(lum: np.ndarray) -> bool:
    """Is the ink darker than its ground? Ink is what stands out from the local background, and
    mostly on one side of it; measured against a coarse median (8x8 blocks, then a 3x3 median
    across blocks, so lighting gradients and a block inside a thick stroke do not count).
    A digital picture with most pixels at exactly its darkest or lightest value has that ground,
    even when a heavy stroke fills a corner of it."""
    lo, hi = float(lum.min()), float(lum.max())
    if hi - lo > MIN_CONTRAST:
        if np.count_nonzero(lum <= lo + 1e-4) > 0.5 * lum.size:
            return False
        if np.count_nonzero(lum >= hi - 1e-4) > 0.5 * lum.size:
            return True
    h, w = lum.shape
    f = max(1, min(h, w, -(-max(h, w) // 64)))  # a 3000x20 strip still keeps one column
    small = block_reduce(lum, f, np.mean, "crop") if f > 1 else lum
    sh, sw = small.shape
    grid = block_reduce(small, max(1, -(-max(sh, sw) // 8)), np.median)
    gh, gw = grid.shape
    p = np.pad(grid, 1, mode="edge")
    grid = np.median(np.stack([p[i : i + gh, j : j + gw] for i in range(3) for j in range(3)]), axis=0)
    bg = np.asarray(Image.fromarray(grid.astype(np.float32)).resize((sw, sh), Image.BILINEAR))
    darker = float(np.clip(bg - small - 0.08, 0, None).sum())
    lighter = float(np.clip(small - bg - 0.08, 0, None).sum())
    if darker == lighter:  # nothing stands out: call it paper if the picture is mostly light
        return bool(np.median(small) >= 0.5)
    return darker > lighter


def ink_from_planes(lum: np.ndarray, is_alpha: bool) -> tuple[np.ndarray, str]:
    if is_alpha:
        return lum, "alpha"
    light_bg = _light_background(lum)
    if light_bg:  # paper lit unevenly: ink is the fraction of light absorbed, 1 - L / paper
        paper = 1.0 - _background(1.0 - lum)
        ink = 1.0 - lum / np.maximum(paper, 0.05)
    else:  # light ink on a dark ground: lighting adds, so subtract
        ink = lum - _background(lum)
    return np.clip(ink, 0.0, 1.0).astype(np.float32), "dark-on-light" if light_bg else "light-on-dark"


def to_ink(img: np.ndarray) -> tuple[np.ndarray, str]:
    """Any image -> (H, W) float32 ink map in [0, 1] (1 = ink) and the polarity it was read with."""
    return ink_from_planes(*planes(img, None)[:2])


def _otsu(x: np.ndarray, bins: int = 64) -> float:
    """Otsu's threshold of values in [0, 1] (the split maximising between-class variance)."""
    hist = np.bincount((x * (bins - 1e-3)).astype(np.intp).ravel(), minlength=bins)
    p = hist / max(1, hist.sum())
    w0 = np.cumsum(p)
    m = np.cumsum(p * (np.arange(bins) + 0.5) / bins)
    with np.errstate(divide="ignore", invalid="ignore"):
        var = (m[-1] * w0 - m) ** 2 / (w0 * (1 - w0))
    return (int(np.nanargmax(var[:-1])) + 1) / bins if np.isfinite(var[:-1]).any() else 0.5


def segment(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Soft ink in [0, 1] (anti-aliased edges kept, paper noise zeroed) and the binary mask.

    The soft ink is what lies within EDGE px of the mask. A digital picture (a canvas, an MNIST
    image) is exactly 0 beyond that, and keeps every grey level: its faint edge pixels are part
    of the digit as MNIST drew it. On paper, whose grain is not ink, values under half the
    threshold are zeroed.
    """
    t = max(_otsu(ink), MIN_CONTRAST)
    mask = ink > t
    if not mask.any():
        return np.zeros_like(ink), mask
    hi = max(float(np.percentile(ink[mask], 90)), t + 1e-3)  # a grey pen counts as full ink
    near = filter3(mask, np.maximum, EDGE, pad=False)
    lo = t / 2 if bool((ink[~near] > 0).any()) else 0.0
    return np.where(near, np.clip((ink - lo) / (hi - lo), 0.0, 1.0), 0.0).astype(np.float32), mask

"""The two image primitives the pipeline is built from: reductions over f x f blocks, and 3x3
minimum / maximum filters (grey erosion and dilation). Plain numpy, no copies beyond padding.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def block_reduce(a: np.ndarray, f: int, reduce: Callable = np.mean, pad: str | float = "edge") -> np.ndarray:
    """(H, W) -> (ceil(H/f), ceil(W/f)): `reduce` (np.mean, np.min, np.any, np.median, ...) over
    each f x f block. Partial blocks at the bottom and right are filled with the edge values
    (pad="edge") or a constant (pad=0, False, ...), or dropped (pad="crop": floor sizes)."""
    h, w = a.shape
    if pad == "crop":
        a = a[: h // f * f, : w // f * f]
    elif h % f or w % f:
        widths = ((0, -h % f), (0, -w % f))
        a = np.pad(a, widths, mode="edge") if pad == "edge" else np.pad(a, widths, constant_values=pad)
    return reduce(a.reshape(a.shape[0] // f, f, a.shape[1] // f, f), axis=(1, 3))


def filter3(a: np.ndarray, op: Callable, steps: int = 1, disc: bool = False, pad: str | float = "edge") -> np.ndarray:
    """`steps` passes of a 3x3 filter with op = np.minimum (erosion) or np.maximum (dilation).

    disc alternates the square with the 5-pixel cross, so repeated passes grow an octagon, close
    to a disc, instead of a square. Outside the image is its edge (pad="edge") or a constant.
    """
    for i in range(steps):
        p = np.pad(a, 1, mode="edge") if pad == "edge" else np.pad(a, 1, constant_values=pad)
        if disc and i % 2:
            c = p[1:-1, 1:-1]
            a = op(op(op(c, p[:-2, 1:-1]), op(p[2:, 1:-1], p[1:-1, :-2])), p[1:-1, 2:])
        else:  # the square is separable: rows, then columns
            r = op(op(p[:, :-2], p[:, 1:-1]), p[:, 2:])
            a = op(op(r[:-2], r[1:-1]), r[2:])
    return a

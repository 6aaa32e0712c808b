"""Batched, on-device augmentation that makes MNIST look like digits people draw.

The Draw page's preprocessing already crops, scales to 20 px and centres by mass, so what is left to
learn is the variety of handwriting inside that box: slant, rotation, aspect, wobble and stroke width.
One `grid_sample` applies affine + elastic together; max-pooling thickens or thins strokes.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

MAX_ROTATE_DEG = 15.0   # preprocessing does not deskew, so tilted drawings must be learnt
SCALE = (0.85, 1.1)     # per-axis zoom; also changes the aspect ratio
MAX_SHEAR = 0.25        # slant
MAX_SHIFT_PX = 2.0      # centring by mass leaves a pixel or two of jitter
ELASTIC_PX = 1.5        # typical displacement of the elastic field, in 28×28 pixels
P_THICKEN, P_THIN = 0.25, 0.15  # fractions of the batch whose strokes get wider / narrower


def augment(x: torch.Tensor, gen: torch.Generator | None = None) -> torch.Tensor:
    """(B, 1, 28, 28) float in [0, 1] → the same shape, each image randomly distorted."""
    b, dev = x.shape[0], x.device

    def u(lo, hi, *shape):  # uniform noise from the seeded generator, on x's device
        return torch.rand(*shape or (b,), generator=gen, device=dev) * (hi - lo) + lo

    angle = u(-MAX_ROTATE_DEG, MAX_ROTATE_DEG) * math.pi / 180
    sx, sy = u(*SCALE), u(*SCALE)
    shear = u(-MAX_SHEAR, MAX_SHEAR)
    tx, ty = u(-1, 1) * MAX_SHIFT_PX / 14, u(-1, 1) * MAX_SHIFT_PX / 14  # grid units: 14 px = 1
    cos, sin = torch.cos(angle), torch.sin(angle)
    # theta maps output coordinates to input ones: rotation · shear · 1/scale
    theta = torch.stack([
        torch.stack([cos / sx, (-sin + shear * cos) / sx, tx], -1),
        torch.stack([sin / sy, (cos + shear * sin) / sy, ty], -1),
    ], 1)  # (B, 2, 3)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)  # (B, 28, 28, 2)

    # elastic: smooth random displacements, coarse noise upsampled bicubically
    noise = u(-1, 1, b, 2, 4, 4) * (ELASTIC_PX / 14)
    field = F.interpolate(noise, size=x.shape[-2:], mode="bicubic", align_corners=False)
    grid = grid + field.permute(0, 2, 3, 1)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)

    # stroke width: a 3×3 max (min) filter widens (narrows) strokes by about a pixel
    r = u(0, 1).view(b, 1, 1, 1)
    thick = F.max_pool2d(x, 3, stride=1, padding=1)
    thin = -F.max_pool2d(-x, 3, stride=1, padding=1)
    x = torch.where(r < P_THICKEN, 0.5 * (x + thick), x)  # half-strength: a full max is too blunt
    x = torch.where(r > 1 - P_THIN, 0.5 * (x + thin), x)
    return x.clamp_(0, 1)

"""The piece scorer: one small CNN that says whether a piece cut from a number is exactly one whole digit.

The digit models are sure of wrong pieces too (a 0 with a 1 glued to its side reads "0", a sliver of
almost any digit "1"), so their sureness alone cannot choose where touching digits are cut
(model/segment.py). This net sees the piece as the models do (28×28 in [0, 1]) and what that picture
hides: its width for the height of its group of strokes, and how much ink each of its two cuts went
through. Trained by `python -m train.pieces` (train/pieces.py) on the pieces segment's own candidate
cuts make of touching numbers drawn from train/styles.py's templates, and on MNIST digits.

Files, in model/pretrained/piece/: `piece.safetensors` and `piece.json` (`format_version`, `channels`,
`sha256` of the weights, `command`, `seed`, `figures`, `date`). A missing or broken scorer is logged
once and gives no verdict (`None`): segment then chooses by the models' sureness alone.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from model.judge import read_net
from model.paths import PIECE

log = logging.getLogger(__name__)
FOLDER = PIECE
FORMAT_VERSION = 1
CHANNELS = (16, 32, 32, 32)  # three convolutions as the judge's, then a hidden layer with the shape's numbers
FEATURES = 3  # width / group height, ink under the left cut, ink under the right cut (segment.features)


class Piece(nn.Module):
    """(B, 1, 28, 28) in [0, 1] and (B, FEATURES) → (B,) logits of "one whole digit"."""

    def __init__(self, channels: tuple[int, int, int, int] = CHANNELS):
        super().__init__()
        a, b, c, d = channels
        self.conv1 = nn.Conv2d(1, a, 3, padding=1)
        self.conv2 = nn.Conv2d(a, b, 3, padding=1)
        self.conv3 = nn.Conv2d(b, c, 3)
        self.hidden = nn.Linear(c * 5 * 5 + FEATURES, d)
        self.out = nn.Linear(d, 1)

    def forward(self, x: torch.Tensor, feats: torch.Tensor) -> torch.Tensor:
        x = (x - 0.1307) / 0.3081
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)     # (B, a, 14, 14)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)     # (B, b, 7, 7)
        x = F.relu(self.conv3(x))                      # (B, c, 5, 5)
        x = F.relu(self.hidden(torch.cat([x.flatten(1), feats], 1)))
        return self.out(x)[:, 0]


@torch.inference_mode()
def log_whole(net: Piece, images: np.ndarray, feats: np.ndarray) -> np.ndarray:
    """(N, 28, 28) pieces and their (N, FEATURES) → (N,) log-probability that each is one whole digit."""
    x = torch.as_tensor(np.asarray(images, np.float32))[:, None]
    return F.logsigmoid(net(x, torch.as_tensor(np.asarray(feats, np.float32)))).numpy()


def read(folder: Path = FOLDER) -> tuple[Piece, dict]:
    """The scorer and its json; ValueError or OSError, with the reason, when it cannot be used."""
    return read_net(folder, "piece", FORMAT_VERSION, Piece)


@functools.cache
def load(folder: Path = FOLDER) -> Piece | None:
    """The shipped scorer, read once per process; None (with one logged note) when missing or broken."""
    try:
        return read(folder)[0]
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as e:
        log.warning("no piece scorer, touching digits are cut by the models' sureness alone: %s", e)
        return None

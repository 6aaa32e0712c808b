"""The number reader: one small net that reads a whole drawn number at once, touching digits and all.

model/segment.py reads a number by cutting it into digits and giving each piece to the models, and where digits
overlap the pieces of even the right cuts hold a neighbour's stroke, which the models read confidently as another
digit (BENCHMARKS.md: the choice among the cuts loses more than the cuts). This net never cuts: a few
convolutions turn the number's ink, scaled to HEIGHT rows, into one column of features every 4 pixels; a
bidirectional GRU reads them left to right and right to left; each column says a digit or "nothing new" (CTC,
Graves et al. 2006), and runs of the same digit collapse. segment reads each group of strokes wide enough to be
cut with it, alone, and uses its string to choose among that group's cuts: the pieces the models answer for stay
the models' own, so each model's answer, bars and "Explain" stay per digit.

Trained by `python -m train.reader` (train/reader.py) on numbers of 1-5 digits, touching, in train/styles.py's
templates, never bench/synth.py's. Files, in model/pretrained/reader/: `reader.safetensors` and `reader.json`
(`format_version`, `channels`, `sha256`, `command`, `seed`, `figures`, `date`). A missing or broken reader is logged
once and reads nothing (`None`): segment then chooses by the models and the piece scorer alone.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from model.judge import read_net
from model.paths import READER
from model.preprocess import Layout

log = logging.getLogger(__name__)
FOLDER = READER
FORMAT_VERSION = 1
CHANNELS = (16, 32, 64, 64, 64)  # four convolutions, then the GRU's size each way: about 150k weights
HEIGHT, WIDTH = 32, 192  # the number's ink scaled to HEIGHT - 4 rows (a 2-pixel margin), padded to WIDTH
BLANK = 10  # the output that says "no new digit here"


class Reader(nn.Module):
    """(B, 1, HEIGHT, WIDTH) in [0, 1] → (B, WIDTH / 4, 11) logits: a digit, or BLANK, per column of 4 pixels."""

    def __init__(self, channels: tuple[int, int, int, int, int] = CHANNELS):
        super().__init__()
        a, b, c, d, g = channels
        self.conv1 = nn.Conv2d(1, a, 3, padding=1)
        self.conv2 = nn.Conv2d(a, b, 3, padding=1)
        self.conv3 = nn.Conv2d(b, c, 3, padding=1)
        self.conv4 = nn.Conv2d(c, d, 3, padding=1)
        self.rnn = nn.GRU(d * HEIGHT // 16, g, bidirectional=True, batch_first=True)
        self.out = nn.Linear(2 * g, BLANK + 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)          # (B, a, 16, 96)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)          # (B, b, 8, 48)
        x = F.max_pool2d(F.relu(self.conv3(x)), (2, 1))     # (B, c, 4, 48)
        x = F.max_pool2d(F.relu(self.conv4(x)), (2, 1))     # (B, d, 2, 48)
        b, c, h, w = x.shape
        x, _ = self.rnn(x.permute(0, 3, 1, 2).reshape(b, w, c * h))
        return self.out(x)


def number_ink(lay: Layout) -> np.ndarray:
    """The ink of a drawing's groups of strokes (what segment reads: stray specks left out), at its work scale."""
    return lay.soft * np.any([g.cells for g in lay.groups], axis=0)


def prepare(ink: np.ndarray) -> np.ndarray:
    """(H, W) ink in [0, 1] → (HEIGHT, WIDTH) float32: the box of its ink scaled to HEIGHT - 4 rows, its width with
    it (at most WIDTH - 4: a number far longer than it is tall is squeezed), at the left, 2 pixels in."""
    inked = ink > 0.3
    rows, cols = np.flatnonzero(inked.any(1)), np.flatnonzero(inked.any(0))
    out = np.zeros((HEIGHT, WIDTH), np.float32)
    if not len(rows):
        return out
    crop = np.clip(ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1], 0, 1)
    h, w = crop.shape
    width = max(1, min(WIDTH - 4, round(w * (HEIGHT - 4) / h)))
    scaled = Image.fromarray((crop * 255).astype(np.uint8)).resize((width, HEIGHT - 4), Image.Resampling.BILINEAR)
    out[2:HEIGHT - 2, 2:2 + width] = np.asarray(scaled, np.float32) / 255
    return out


def decode(logits: torch.Tensor) -> list[str]:
    """(B, T, 11) logits → each row's digits: the likeliest output per column, runs collapsed, BLANKs dropped."""
    out = []
    for row in logits.argmax(-1).tolist():
        digits, last = [], BLANK
        for k in row:
            if k != last and k != BLANK:
                digits.append(str(k))
            last = k
        out.append("".join(digits))
    return out


@torch.inference_mode()
def read_number(net: Reader, ink: np.ndarray) -> str:
    """The digits the reader sees in one number's (H, W) ink, left to right ("" for none)."""
    return decode(net(torch.as_tensor(prepare(ink))[None, None]))[0]


def read(folder: Path = FOLDER) -> tuple[Reader, dict]:
    """The reader and its json; ValueError or OSError, with the reason, when it cannot be used."""
    return read_net(folder, "reader", FORMAT_VERSION, Reader)


@functools.cache
def load(folder: Path = FOLDER) -> Reader | None:
    """The shipped reader, read once per process; None (with one logged note) when missing or broken."""
    try:
        return read(folder)[0]
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as e:
        log.warning("no number reader, touching digits are cut by the models and the piece scorer alone: %s", e)
        return None

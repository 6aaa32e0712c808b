"""The not-a-digit judge: one small CNN, shared by every model, that says whether a 28×28 input is a digit.

A shared judge, not an eleventh output of each model: the two shipped models could not be retrained
this session, and a judge that looks only at the image gives every model (a class's own runs too)
the same verdict. It sees what the models see (`model.preprocess.preprocess`'s 28×28 in [0, 1]) and
gives a score in [0, 1]; at or above its threshold the mark "does not look like a digit". Trained by
`python -m train.judge` (train/judge.py) on MNIST and synthetic non-digits (train/negatives.py).

Files, in model/pretrained/judge/: `judge.safetensors` (the weights) and `judge.json` (`format_version`,
`channels`, `threshold`, `sha256` of the weights, `command`, `seed`, `figures`, `date`). A missing or
broken judge is logged once and gives no verdict (`None`): the app works without it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import os
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from torch import nn

from model.nets import ready_to_answer
from model.paths import JUDGE

log = logging.getLogger(__name__)
FOLDER = JUDGE
FORMAT_VERSION = 1
CHANNELS = (16, 32, 32)  # about 15k weights: 0.1–0.2 ms for one image on one CPU thread


class Judge(nn.Module):
    """(B, 1, 28, 28) in [0, 1] → (B,) logits of "not a digit"."""

    def __init__(self, channels: tuple[int, int, int] = CHANNELS):
        super().__init__()
        a, b, c = channels
        self.conv1 = nn.Conv2d(1, a, 3, padding=1)
        self.conv2 = nn.Conv2d(a, b, 3, padding=1)
        self.conv3 = nn.Conv2d(b, c, 3)
        self.out = nn.Linear(c * 5 * 5, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = (x - 0.1307) / 0.3081                      # MNIST's mean and spread, as the models scale
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)     # (B, a, 14, 14)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)     # (B, b, 7, 7)
        x = F.relu(self.conv3(x))                      # (B, c, 5, 5)
        return self.out(x.flatten(1))[:, 0]            # (B,)


@torch.inference_mode()
def scores(judge: Judge, images: np.ndarray, batch: int = 4000) -> np.ndarray:
    """(N, 28, 28) or (28, 28) float in [0, 1] → (N,) float32 scores in [0, 1] (1 = surely not a digit)."""
    x = torch.as_tensor(np.asarray(images, dtype=np.float32))
    if x.ndim == 2:
        x = x[None]
    out = [torch.sigmoid(judge(x[i:i + batch, None])) for i in range(0, len(x), batch)]
    return torch.cat(out).numpy() if out else np.zeros(0, np.float32)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_net(folder: Path, stem: str, format_version: int, build) -> tuple[nn.Module, dict]:
    """`<stem>.safetensors` and `<stem>.json` in `folder` (the judge's, and the piece scorer's, made alike):
    the net in eval mode, built by `build(channels)`, and its json; ValueError or OSError, with the reason,
    when it cannot be used."""
    meta = json.loads((folder / f"{stem}.json").read_text())
    if meta.get("format_version") != format_version:
        raise ValueError(f"{folder}: format_version {meta.get('format_version')!r}, expected {format_version}")
    weights = folder / f"{stem}.safetensors"
    if sha256(weights) != meta.get("sha256"):
        raise ValueError(f"{weights}: the checksum does not match {stem}.json")
    net = build(tuple(meta["channels"]))
    net.load_state_dict(load_file(str(weights)))
    return ready_to_answer(net), meta


def save_net(net: nn.Module, out: Path, stem: str, head: dict, meta: dict) -> None:
    """The files `read_net` reads: `head` (format_version, channels), the checksum, `meta` and the date,
    written to temporary names and then renamed."""
    out.mkdir(parents=True, exist_ok=True)
    tmp_w, tmp_i = out / f"{stem}.safetensors.tmp", out / f"{stem}.json.tmp"
    save_file({k: v.detach().contiguous() for k, v in net.state_dict().items()}, str(tmp_w))
    info = {**head, "sha256": sha256(tmp_w), **meta, "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    tmp_i.write_text(json.dumps(info, indent=1))
    os.replace(tmp_w, out / f"{stem}.safetensors")
    os.replace(tmp_i, out / f"{stem}.json")


def read(folder: Path = FOLDER) -> tuple[Judge, dict]:
    """The judge and its json; ValueError or OSError, with the reason, when it cannot be used."""
    return read_net(folder, "judge", FORMAT_VERSION, Judge)


@functools.cache
def load(folder: Path = FOLDER) -> tuple[Judge, dict] | None:
    """The shipped judge, read once per process; None (with one logged note) when missing or broken."""
    try:
        return read(folder)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as e:
        log.warning("no not-a-digit judge, answers come without that verdict: %s", e)
        return None


def judge_images(images: np.ndarray, folder: Path = FOLDER) -> tuple[np.ndarray, np.ndarray] | None:
    """(scores, not_digit) of (N, 28, 28) or (28, 28) inputs: (N,) float32 and (N,) bool, or None with no judge.
    For one drawing or the digits of a number: run it under `ui.models.one_thread`, as the models are."""
    loaded = load(folder)
    if loaded is None:
        return None
    judge, meta = loaded
    s = scores(judge, images)
    return s, s >= float(meta["threshold"])


def not_digit(images: np.ndarray, folder: Path = FOLDER) -> np.ndarray | None:
    """(N,) bool: True where the input does not look like a digit; None when no judge is installed."""
    verdict = judge_images(images, folder)
    return None if verdict is None else verdict[1]

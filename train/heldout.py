"""The class's drawings in a training run: a seeded share held out, the rest mixed into training.

A run that includes the class's drawings ends with its score on the drawings it did not train on, beside
the score of the model it replaces (the shipped model of the same family) on the same drawings: did
training on the class's 7s teach it the class's 7s, or only the ones it saw? The caller loads both
(`class_drawings`, `shipped_model`) and passes them to `engine.train`, which stays a function of its
arguments.
"""

from __future__ import annotations

import numpy as np
import torch

from classroom.collection import Collection
from model import store
from model.paths import PRETRAINED

HOLD_OUT = 0.25  # of the drawings; at least one as soon as there are two, none of a single drawing


def class_drawings(repeat: int, folder=None) -> Collection | None:
    """The class's saved drawings, when a run includes them (`repeat` > 0, TrainConfig.class_drawings)."""
    if repeat <= 0:
        return None
    from classroom import drawings  # Pillow, for the drawings' images: only a run that uses them needs it
    return drawings.load(folder, canvases=False)


def shipped_model(kind: str) -> torch.nn.Module | None:
    """The shipped model of a family (`mlp`, `cnn`): the "before" of the held-out score; None if unusable."""
    try:
        return store.load(PRETRAINED / kind)[0]
    except store.CheckpointError:
        return None


def split(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the drawings to train on and of those held out, sorted; the same for the same seed."""
    k = max(1, round(n * HOLD_OUT)) if n >= 2 else 0
    perm = np.random.default_rng(seed).permutation(n)
    return np.sort(perm[k:]), np.sort(perm[:k])


def mix(x: torch.Tensor, y: torch.Tensor, images: np.ndarray, labels: np.ndarray, repeat: int):
    """Training tensors (N, 28, 28) uint8 and (N,) long with `images` appended `repeat` times. The repeat is
    the teacher's weight: a few dozen drawings among 60,000 images would barely move the model."""
    if repeat <= 0 or not len(images):
        return x, y
    xs = torch.from_numpy(np.tile(images, (repeat, 1, 1))).to(x.device)
    ys = torch.from_numpy(np.tile(labels.astype(np.int64), repeat)).to(y.device)
    return torch.cat([x, xs]), torch.cat([y, ys])

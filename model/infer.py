"""Inference on 28×28 images: class probabilities in batches, and labels for a whole data set."""

from __future__ import annotations

import numpy as np
import torch


@torch.inference_mode()
def probabilities(model: torch.nn.Module, images: np.ndarray, batch: int = 2000) -> np.ndarray:
    """(N, 28, 28) or (28, 28) float in [0, 1] → (N, 10) float32 probabilities that sum to 1."""
    x = torch.as_tensor(np.asarray(images, dtype=np.float32))
    if x.ndim == 2:
        x = x[None]
    out = [torch.softmax(model(x[i:i + batch, None]).float(), dim=1) for i in range(0, len(x), batch)]
    return torch.cat(out).numpy() if out else np.zeros((0, 10), np.float32)


def labels_uint8(model: torch.nn.Module, images_uint8: np.ndarray) -> np.ndarray:
    """(N, 28, 28) uint8 pixels, as a Kaggle CSV holds them → (N,) predicted digits."""
    return probabilities(model, images_uint8.astype(np.float32) / 255).argmax(1)

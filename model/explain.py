"""Why a model gave its answer, for one 28×28 image: a saliency map, a CNN's first feature maps, and the
MLP first-layer units that mattered most. torch and numpy only; every function leaves the model unchanged.

Saliency is integrated gradients (Sundararajan et al. 2017) from a blank image: each pixel's share of the
top class's logit, positive where the ink pushed the answer up and negative where it pulled it down. Its
parts add up to logit(image) − logit(blank), so the map is a budget, not just a slope; with a blank baseline
only inked pixels get a share, which reads well on a drawing ("these strokes made it a 7").
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from model.nets import ACTIVATIONS

_ACTS = tuple(ACTIVATIONS.values())


def _input(image28: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(np.asarray(image28, np.float32)).reshape(1, 1, 28, 28)


def _layers(model: nn.Module) -> list[nn.Module]:
    return list(model.net) if hasattr(model, "net") else [model]


def integrated_gradients(model: nn.Module, image28: np.ndarray, target: int | None = None,
                         steps: int = 32) -> tuple[np.ndarray, int]:
    """((28, 28) float32 attribution to `target`, target). target defaults to the model's top class."""
    x = _input(image28)
    with torch.no_grad():
        if target is None:
            target = int(model(x).argmax(1))
    alphas = (torch.arange(steps, dtype=torch.float32) + 0.5) / steps  # midpoint rule on [0, 1]
    path = (alphas.view(-1, 1, 1, 1) * x).requires_grad_(True)        # (steps, 1, 28, 28)
    with torch.enable_grad():
        model(path)[:, target].sum().backward()
    attribution = path.grad.mean(0)[0] * x[0, 0]                        # (28, 28): mean slope × (x − 0)
    return attribution.detach().numpy(), target


def feature_maps(model: nn.Module, image28: np.ndarray, n_conv: int = 2) -> list[np.ndarray]:
    """The activations after each of the first `n_conv` conv layers: a list of (channels, H, W) arrays.

    Empty for a model without convolutions."""
    maps, after_conv = [], False
    x = _input(image28)
    with torch.no_grad():
        for layer in _layers(model):
            x = layer(x)
            if isinstance(layer, nn.Conv2d):
                after_conv = True
            elif after_conv and isinstance(layer, _ACTS):
                maps.append(x[0].numpy().copy())
                after_conv = False
                if len(maps) == n_conv:
                    break
    return maps


def top_units(model: nn.Module, image28: np.ndarray, target: int | None = None,
              k: int = 6) -> tuple[np.ndarray, np.ndarray, int]:
    """The first hidden layer's k units that pushed `target` up most: ((k, 28, 28) input weights, (k,) score,
    target). A unit's score is its activation × the slope of the target's logit through it (how much of the
    answer it carried). Empty arrays for a model whose first layer is not a Linear on the 784 pixels."""
    layers = _layers(model)
    first = next((i for i, m in enumerate(layers) if isinstance(m, (nn.Linear, nn.Conv2d))), None)
    if first is None or not isinstance(layers[first], nn.Linear) or layers[first].in_features != 784:
        return np.zeros((0, 28, 28), np.float32), np.zeros(0, np.float32), -1
    act = next(i for i in range(first, len(layers)) if isinstance(layers[i], _ACTS))
    x = _input(image28)
    with torch.enable_grad():
        h = x
        for layer in layers[:act + 1]:
            h = layer(h)
        h = h.detach().requires_grad_(True)   # (1, units): the first hidden layer's activations
        out = h
        for layer in layers[act + 1:]:
            out = layer(out)
        if target is None:
            target = int(out.argmax(1))
        out[0, target].backward()
    score = (h * h.grad)[0].detach().numpy()
    order = np.argsort(-score)[:k]
    weights = layers[first].weight.detach().numpy()[order].reshape(-1, 28, 28)
    return weights.copy(), score[order], target

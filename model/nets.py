"""Architectures: frozen, JSON-round-tripping configs and `build(config)`, the one way to make a model.

Every model maps (B, 1, 28, 28) images in [0, 1] to (B, 10) logits. How the input is scaled
(MNIST standardisation, plain [0, 1], or raw 0–255 pixels as seed 000 trained) lives inside the module,
so every caller feeds [0, 1] and a checkpoint is self-contained.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import torch
from torch import nn

from model.field_types import check_fields

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "selu": nn.SELU}
INPUTS = ("standard", "unit", "raw255")


@dataclass(frozen=True)
class MLPConfig:
    hidden: tuple[int, ...] = (512, 256)  # width of each hidden layer, input side first
    activation: str = "relu"               # relu | sigmoid | tanh | selu
    dropout: float = 0.0                   # after each hidden activation
    batch_norm: bool = False               # BatchNorm1d before each hidden activation
    input: str = "standard"                # standard (MNIST mean/std) | unit ([0,1]) | raw255 (0–255)
    kind: str = "mlp"


@dataclass(frozen=True)
class ConvBlock:
    filters: int                 # output channels of every conv in the block
    kernel: int = 3              # square kernel size
    convs: int = 1               # convs in a row, each followed by the activation (and batch norm)
    padding: str = "same"        # same | valid
    pad_before: int = 0          # zero padding before the first conv (Keras ZeroPadding2D)
    batch_norm: bool = False     # BatchNorm2d after each conv's activation (seed 002's order)
    pool: int = 2                # max-pool size after the convs; 0 for none
    pool_kind: str = "max"       # max | avg (LeNet-5 subsamples by averaging)
    dropout: float = 0.0         # Dropout after the pool


@dataclass(frozen=True)
class CNNConfig:
    blocks: tuple[ConvBlock, ...] = (ConvBlock(32), ConvBlock(64))
    dense: tuple[int, ...] = (128,)   # hidden dense widths after flattening
    dense_dropout: float = 0.0        # Dropout after each hidden dense layer
    activation: str = "relu"          # relu | sigmoid | tanh | selu, for convs and dense layers
    input: str = "standard"           # as MLPConfig.input
    kind: str = "cnn"


Config = MLPConfig | CNNConfig


def config_to_dict(cfg: Config) -> dict:
    return asdict(cfg)


def _as_tuple(d: dict, key: str) -> None:
    """JSON has lists where the configs have tuples; anything else is left for check_fields to name."""
    if isinstance(d.get(key), list):
        d[key] = tuple(d[key])


def _block(i: int, b) -> ConvBlock:
    if not isinstance(b, dict) or "filters" not in b or set(b) - {f.name for f in fields(ConvBlock)}:
        raise ValueError(f"block {i} must be an object with 'filters' and the keys of a conv block, got {b!r}")
    return ConvBlock(**b)


def config_from_dict(d: dict) -> Config:
    """Inverse of config_to_dict; unknown keys, kinds or types are refused, so a bad file fails loudly."""
    if not isinstance(d, dict):
        raise ValueError(f"the architecture must be a JSON object, got {d!r}")
    d = dict(d)
    kind = d.get("kind")
    cls = {"mlp": MLPConfig, "cnn": CNNConfig}.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValueError(f"unknown model kind {kind!r} (expected 'mlp' or 'cnn')")
    names = {f.name for f in fields(cls)}
    if unknown := set(d) - names:
        raise ValueError(f"unknown {kind} config keys: {sorted(unknown)}")
    _as_tuple(d, "hidden")
    _as_tuple(d, "dense")
    _as_tuple(d, "blocks")
    if cls is CNNConfig and isinstance(d.get("blocks"), tuple):
        d["blocks"] = tuple(_block(i, b) for i, b in enumerate(d["blocks"], 1))
    cfg = cls(**d)
    validate(cfg)
    return cfg


MAX_LAYERS = 8            # hidden layers, dense layers or conv blocks
MAX_WIDTH = 100_000       # units in one dense layer
MAX_FILTERS = 4096        # channels of one conv
MAX_PARAMS = 100_000_000  # 400 MB of float32 weights: refused before anything is allocated
MAX_FEATURES = 4_000_000  # values in one layer's output for one image (activations, not weights)


def validate(cfg: Config) -> None:
    """Raise ValueError with a plain reason for a config that cannot be built, or would not fit in memory.

    Everything is checked from the config alone, before a single weight is allocated."""
    if not isinstance(cfg, (MLPConfig, CNNConfig)):
        raise ValueError(f"not an architecture: {cfg!r}")
    check_fields(cfg)
    if cfg.activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {cfg.activation!r}")
    if cfg.input not in INPUTS:
        raise ValueError(f"input must be one of {INPUTS}, got {cfg.input!r}")
    widths = cfg.hidden if isinstance(cfg, MLPConfig) else cfg.dense
    if any(w < 1 or w > MAX_WIDTH for w in widths):
        raise ValueError(f"layer widths must be between 1 and {MAX_WIDTH:,}, got {list(widths)}")
    if len(widths) > MAX_LAYERS:
        raise ValueError(f"at most {MAX_LAYERS} dense layers, got {len(widths)}")
    drops = [cfg.dropout] if isinstance(cfg, MLPConfig) else [cfg.dense_dropout]
    if isinstance(cfg, CNNConfig):
        if not cfg.blocks:
            raise ValueError("a CNN needs at least one conv block")
        if len(cfg.blocks) > MAX_LAYERS:
            raise ValueError(f"at most {MAX_LAYERS} conv blocks, got {len(cfg.blocks)}")
        for i, b in enumerate(cfg.blocks, 1):
            check_fields(b, f"block {i}: ")
            drops.append(b.dropout)
            if not (1 <= b.filters <= MAX_FILTERS and 1 <= b.kernel <= 28 and 1 <= b.convs <= MAX_LAYERS
                    and b.padding in ("same", "valid") and 0 <= b.pad_before <= 28 and 0 <= b.pool <= 28
                    and b.pool_kind in ("max", "avg")):
                raise ValueError(f"block {i}: filters must be 1–{MAX_FILTERS}, kernel 1–28, convs 1–{MAX_LAYERS}, "
                                 "padding same or valid, pad_before and pool 0–28, pool_kind max or avg")
    if any(not 0 <= p < 1 for p in drops):
        raise ValueError("dropout must be in [0, 1)")
    params, features = _size(cfg)
    if features > MAX_FEATURES:
        raise ValueError(f"a layer of this network holds {features:,} values per image; the most is "
                         f"{MAX_FEATURES:,}: use fewer filters or smaller layers")
    if params > MAX_PARAMS:
        raise ValueError(f"this network would have {params:,} parameters; the most is {MAX_PARAMS:,}: "
                         "use fewer or narrower layers")


def _size(cfg: Config) -> tuple[int, int]:
    """(parameters, largest layer output per image) of `build(cfg)`, computed without building it.

    Raises ValueError when a CNN shrinks the 28x28 image to nothing."""
    params, features, width = 0, 784, 784
    if isinstance(cfg, CNNConfig):
        channels, side = 1, 28
        for i, b in enumerate(cfg.blocks, 1):
            side += 2 * b.pad_before
            for _ in range(b.convs):
                bn = 2 * b.filters if b.batch_norm else 0
                params += channels * b.filters * b.kernel * b.kernel + b.filters + bn
                channels = b.filters
                side -= b.kernel - 1 if b.padding == "valid" else 0
                if side < 1:
                    break
                features = max(features, channels * side * side)
            if b.pool:
                side //= b.pool
            if side < 1:
                raise ValueError(f"block {i} shrinks the 28×28 image to nothing: use fewer blocks, "
                                 "'same' padding or smaller kernels")
        width = channels * side * side
    norm = isinstance(cfg, MLPConfig) and cfg.batch_norm
    for h in (*(cfg.hidden if isinstance(cfg, MLPConfig) else cfg.dense), 10):
        params += width * h + h + (2 * h if norm and h != 10 else 0)
        features, width = max(features, h), h
    return params, features


def count_params(cfg: Config) -> int:
    """Parameters `build(cfg)` would have, from the config alone (equals n_params(build(cfg)))."""
    validate(cfg)
    return _size(cfg)[0]


class InputScale(nn.Module):
    """[0, 1] pixels → what the net was trained on. A buffer-free module so old checkpoints stay valid."""

    def __init__(self, mode: str):
        super().__init__()
        self.mode = mode

    def forward(self, x):
        if self.mode == "standard":
            return (x - MNIST_MEAN) / MNIST_STD
        if self.mode == "raw255":
            return x * 255.0
        return x


class MLP(nn.Module):
    def __init__(self, cfg: MLPConfig):
        super().__init__()
        act = ACTIVATIONS[cfg.activation]
        layers: list[nn.Module] = [InputScale(cfg.input), nn.Flatten()]  # (B, 784)
        width = 28 * 28
        for h in cfg.hidden:
            layers.append(nn.Linear(width, h))
            if cfg.batch_norm:
                layers.append(nn.BatchNorm1d(h))
            layers.append(act())
            if cfg.dropout:
                layers.append(nn.Dropout(cfg.dropout))
            width = h
        layers.append(nn.Linear(width, 10))  # logits; softmax belongs to the loss or the caller
        self.net = nn.Sequential(*layers)

    def forward(self, x):  # (B, 1, 28, 28) -> (B, 10)
        return self.net(x)


class CNN(nn.Module):
    def __init__(self, cfg: CNNConfig):
        super().__init__()
        act = ACTIVATIONS[cfg.activation]
        layers: list[nn.Module] = [InputScale(cfg.input)]
        channels, side = 1, 28
        for b in cfg.blocks:
            if b.pad_before:
                layers.append(nn.ZeroPad2d(b.pad_before))
                side += 2 * b.pad_before
            for _ in range(b.convs):
                layers += [nn.Conv2d(channels, b.filters, b.kernel, padding=b.padding), act()]
                if b.batch_norm:
                    layers.append(nn.BatchNorm2d(b.filters))
                channels = b.filters
                if b.padding == "valid":
                    side -= b.kernel - 1
            if b.pool:
                layers.append((nn.MaxPool2d if b.pool_kind == "max" else nn.AvgPool2d)(b.pool))
                side //= b.pool
            if b.dropout:
                layers.append(nn.Dropout(b.dropout))
        layers.append(nn.Flatten())  # (B, channels * side * side)
        width = channels * side * side
        for h in cfg.dense:
            layers += [nn.Linear(width, h), act()]
            if cfg.dense_dropout:
                layers.append(nn.Dropout(cfg.dense_dropout))
            width = h
        layers.append(nn.Linear(width, 10))
        self.net = nn.Sequential(*layers)

    def forward(self, x):  # (B, 1, 28, 28) -> (B, 10)
        return self.net(x)


def build(cfg: Config) -> nn.Module:
    validate(cfg)
    return MLP(cfg) if isinstance(cfg, MLPConfig) else CNN(cfg)


def ready_to_answer(model: nn.Module) -> nn.Module:
    """`model` in eval mode with its convolutions' weights laid out channels_last, as the engine trains them:
    oneDNN's CPU kernels then take them (the shipped CNN answers a drawing 1.2× faster on one thread:
    `bench/latency.py --contiguous`, BENCHMARKS.md). The answers are the same up to float rounding."""
    return model.eval().to(memory_format=torch.channels_last)


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def describe(cfg: Config) -> str:
    """A one-line shape for tables: '784-512-256-10 relu' or 'conv32-conv64 | 128 relu'."""
    if isinstance(cfg, MLPConfig):
        return "-".join(map(str, (784, *cfg.hidden, 10))) + f" {cfg.activation}"
    convs = "-".join(f"conv{b.filters}" + (f"×{b.convs}" if b.convs > 1 else "") for b in cfg.blocks)
    return f"{convs} | {'-'.join(map(str, (*cfg.dense, 10)))} {cfg.activation}"


"""Architectures: frozen, JSON-round-tripping configs and `build(config)`, the one way to make a model.

Every model maps (B, 1, 28, 28) images in [0, 1] to (B, 10) logits. How the input is scaled
(MNIST standardisation, plain [0, 1], or raw 0–255 pixels as seed 000 trained) lives inside the module,
so every caller feeds [0, 1] and a checkpoint is self-contained.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from torch import nn

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


def config_from_dict(d: dict) -> Config:
    """Inverse of config_to_dict; unknown keys or kinds are refused, so a bad file fails loudly."""
    d = dict(d)
    kind = d.get("kind")
    cls = {"mlp": MLPConfig, "cnn": CNNConfig}.get(kind)
    if cls is None:
        raise ValueError(f"unknown model kind {kind!r} (expected 'mlp' or 'cnn')")
    names = {f.name for f in fields(cls)}
    if unknown := set(d) - names:
        raise ValueError(f"unknown {kind} config keys: {sorted(unknown)}")
    if cls is MLPConfig:
        d["hidden"] = tuple(int(w) for w in d.get("hidden", ()))
    else:
        d["blocks"] = tuple(ConvBlock(**b) for b in d.get("blocks", ()))
        d["dense"] = tuple(int(w) for w in d.get("dense", ()))
    cfg = cls(**d)
    validate(cfg)
    return cfg


def validate(cfg: Config) -> None:
    """Raise ValueError with a plain reason for a config that cannot be built."""
    if cfg.activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {cfg.activation!r}")
    if cfg.input not in INPUTS:
        raise ValueError(f"input must be one of {INPUTS}, got {cfg.input!r}")
    widths = cfg.hidden if isinstance(cfg, MLPConfig) else cfg.dense
    if any(w < 1 or w > 100_000 for w in widths):
        raise ValueError(f"layer widths must be between 1 and 100,000, got {list(widths)}")
    drops = [cfg.dropout] if isinstance(cfg, MLPConfig) else [cfg.dense_dropout] + [b.dropout for b in cfg.blocks]
    if any(not 0 <= p < 1 for p in drops):
        raise ValueError("dropout must be in [0, 1)")
    if isinstance(cfg, CNNConfig):
        if not cfg.blocks:
            raise ValueError("a CNN needs at least one conv block")
        side = 28
        for i, b in enumerate(cfg.blocks, 1):
            if b.filters < 1 or b.kernel < 1 or b.convs < 1 or b.padding not in ("same", "valid"):
                raise ValueError(f"block {i}: filters, kernel and convs must be ≥ 1, padding same or valid")
            side += 2 * b.pad_before
            if b.padding == "valid":
                side -= b.convs * (b.kernel - 1)
            if b.pool:
                side //= b.pool
            if side < 1:
                raise ValueError(f"block {i} shrinks the 28×28 image to nothing: use fewer blocks, "
                                 "'same' padding or smaller kernels")


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


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def describe(cfg: Config) -> str:
    """A one-line shape for tables: '784-512-256-10 relu' or 'conv32-conv64 | 128 relu'."""
    if isinstance(cfg, MLPConfig):
        return "-".join(map(str, (784, *cfg.hidden, 10))) + f" {cfg.activation}"
    convs = "-".join(f"conv{b.filters}" + (f"×{b.convs}" if b.convs > 1 else "") for b in cfg.blocks)
    return f"{convs} | {'-'.join(map(str, (*cfg.dense, 10)))} {cfg.activation}"


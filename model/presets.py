"""Training recipes: `TrainConfig` (architecture + how to train it) and the named presets.

Each seed preset reproduces one source article (see docs/SEEDS.md): the same architecture, loss,
optimiser, batch, epochs, schedule and evaluation protocol. Where an article is vague, the choice is
ours and the description says so. `reported` is the figure the article printed, shown beside ours.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace

from model.field_types import check_fields
from model.nets import CNNConfig, Config, ConvBlock, MLPConfig, config_from_dict, validate

OPTIMIZERS = ("sgd", "adam", "adamw", "adamax", "rmsprop", "adadelta")
LOSSES = ("ce", "mse")  # cross-entropy on logits | MSE of logits against one-hot targets
SCHEDULES = ("constant", "exp", "onecycle", "cosine")
EARLY_STOPPING = ("none", "val", "train_drop")  # train_drop: stop when train accuracy falls (seed 003)
TEST_PROTOCOLS = ("every_epoch", "on_val_improve")  # on_val_improve: seed 004's protocol


@dataclass(frozen=True)
class TrainConfig:
    model: Config                      # the architecture
    preset: str = "custom"             # which preset this came from
    optimizer: str = "adam"            # one of OPTIMIZERS
    lr: float = 1e-3                   # peak learning rate
    momentum: float = 0.0              # SGD momentum (Nesterov when > 0)
    rho: float = 0.9                   # RMSprop's alpha / Adadelta's rho
    batch_size: int = 128
    epochs: int = 10
    weight_decay: float = 0.0          # L2 penalty, as the optimiser's weight_decay
    loss: str = "ce"                   # one of LOSSES
    schedule: str = "constant"         # one of SCHEDULES
    gamma: float = 0.9                 # per-epoch factor of the "exp" schedule
    early_stopping: str = "none"       # one of EARLY_STOPPING
    patience: int = 3                  # epochs without improvement before "val" early stopping
    augment: bool = False              # random affine, elastic and stroke-width changes on the device
    val_size: int = 0                  # training images held out for validation (0: none)
    test_protocol: str = "every_epoch"  # one of TEST_PROTOCOLS
    seed: int = 0                      # seeds the split, the init, the order and the augmentation
    device: str = "auto"               # auto | cpu | cuda | cuda:N | mps
    subset: int = 0                    # train on the first N training images only (0: all); for tests
    max_steps: int = 0                 # stop after N optimiser steps (0: no limit); --dry-run uses it
    class_drawings: int = 0            # each of the class's saved drawings appears this many times (0: none)
    world_styles: float = 0.0          # share of each batch replaced by world-style digits (train/styles.py)
    teacher: str = ""                  # a shipped model (model/pretrained/NAME) to learn from as well as the labels
    average: float = 0.0               # decay per step of a moving average of the weights, which is scored and
    #                                    saved instead of the last step's (0: none; 0.999 averages ~1,000 steps)


def train_config_to_dict(cfg: TrainConfig) -> dict:
    return asdict(cfg)


def train_config_from_dict(d: dict) -> TrainConfig:
    """A validated TrainConfig from JSON; ValueError naming the field for a wrong key, type or range."""
    if not isinstance(d, dict):
        raise ValueError(f"a training config must be a JSON object, got {type(d).__name__}")
    d = dict(d)
    names = {f.name for f in fields(TrainConfig)}
    if unknown := set(d) - names:
        raise ValueError(f"unknown training config keys: {sorted(unknown)}")
    if "model" not in d:
        raise ValueError("training config has no 'model'")
    d["model"] = config_from_dict(d["model"])
    cfg = TrainConfig(**d)
    validate_train(cfg)
    return cfg


DEVICE = re.compile(r"auto|cpu|mps|cuda(:\d{1,2})?")
SHIPPED_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,40}")  # a model/pretrained/NAME: what --ship writes, --teacher reads


class Caution(str):
    """A warning of validate_train: its English sentence, with a stable `kind` and the `details` that fill
    it in, so the app can show it in the reader's language (ui/text/train.py has a `cfg_<kind>` for each)."""

    def __new__(cls, kind: str, message: str, **details):
        obj = super().__new__(cls, message)
        obj.kind, obj.details = kind, details
        return obj


def validate_train(cfg: TrainConfig) -> list[Caution]:
    """Raise ValueError for impossible settings; return warnings for merely unwise ones.

    Types first (a "5" or 2.5 for epochs, a NaN anywhere), then ranges, each with the advice that fits."""
    validate(cfg.model)
    check_fields(cfg)
    for name, value, allowed in (("optimizer", cfg.optimizer, OPTIMIZERS), ("loss", cfg.loss, LOSSES),
                                 ("schedule", cfg.schedule, SCHEDULES),
                                 ("early_stopping", cfg.early_stopping, EARLY_STOPPING),
                                 ("test_protocol", cfg.test_protocol, TEST_PROTOCOLS)):
        if value not in allowed:
            raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    if not DEVICE.fullmatch(cfg.device):
        raise ValueError(f"device must be auto, cpu, cuda, cuda:N or mps, got {cfg.device!r}")
    if not 1 <= cfg.batch_size <= 60_000:
        raise ValueError(f"batch size must be between 1 and 60,000, got {cfg.batch_size}")
    if not 1 <= cfg.epochs <= 1000:
        raise ValueError(f"epochs must be between 1 and 1,000, got {cfg.epochs}")
    if not 0 < cfg.lr <= 100:
        raise ValueError(f"learning rate must be in (0, 100], got {cfg.lr}")
    if not 0 <= cfg.weight_decay <= 1:
        raise ValueError(f"weight decay must be between 0 and 1 (1e-4 is usual), got {cfg.weight_decay}")
    if not (0 <= cfg.momentum < 1 and 0 <= cfg.rho < 1 and 0 < cfg.gamma <= 1):
        raise ValueError(f"momentum and rho must be in [0, 1) and gamma in (0, 1], got momentum {cfg.momentum}, "
                         f"rho {cfg.rho}, gamma {cfg.gamma}")
    if not 1 <= cfg.patience <= 1000:
        raise ValueError(f"patience must be between 1 and 1,000 epochs, got {cfg.patience}")
    if not 0 <= cfg.val_size < 60_000:
        raise ValueError(f"val_size must be a number of images in [0, 60000), got {cfg.val_size}")
    if not (0 <= cfg.subset <= 60_000 and 0 <= cfg.max_steps):
        raise ValueError(f"subset must be in [0, 60000] and max_steps ≥ 0, got {cfg.subset} and {cfg.max_steps}")
    if not 0 <= cfg.seed < 2**32:
        raise ValueError(f"seed must be between 0 and 4,294,967,295, got {cfg.seed}")
    if not isinstance(cfg.class_drawings, int) or isinstance(cfg.class_drawings, bool) \
            or not 0 <= cfg.class_drawings <= 100:
        raise ValueError(f"class_drawings must be a whole number of repeats in [0, 100], got {cfg.class_drawings!r}")
    if not 0 <= cfg.world_styles <= 0.5:  # beyond half a batch, MNIST's own digits would be the minority
        raise ValueError(f"world_styles must be a share of each batch in [0, 0.5] (0.15 is usual), "
                         f"got {cfg.world_styles}")
    if not (cfg.average == 0 or 0.9 <= cfg.average <= 0.99999):
        raise ValueError(f"average must be 0 (none) or a decay per step in [0.9, 0.99999] (0.999 is usual), "
                         f"got {cfg.average}")
    if cfg.teacher and not SHIPPED_NAME.fullmatch(cfg.teacher):
        raise ValueError(f"teacher must be the name of a shipped model such as cnn, or empty, got {cfg.teacher!r}")
    if cfg.teacher and cfg.loss != "ce":
        raise ValueError("learning from a teacher needs the cross-entropy loss (loss 'ce')")
    if cfg.early_stopping == "val" and cfg.val_size == 0:
        raise ValueError("early stopping on validation needs a validation set (val_size > 0)")
    if cfg.test_protocol == "on_val_improve" and cfg.val_size == 0:
        raise ValueError("testing only when validation improves needs a validation set (val_size > 0)")
    warnings = []
    if cfg.lr > 1 and cfg.optimizer not in ("adadelta", "sgd"):
        warnings.append(Caution("lr_high", f"a learning rate of {cfg.lr} is very high for {cfg.optimizer}; "
                                "1e-3 is usual", lr=cfg.lr, optimizer=cfg.optimizer))
    if cfg.epochs > 100:
        warnings.append(Caution("epochs_long", f"{cfg.epochs} epochs will take a long time", epochs=cfg.epochs))
    return warnings


@dataclass(frozen=True)
class Preset:
    name: str
    title: str          # short human name
    description: str    # one line: what it is and where it comes from; our own choices say so
    source: str         # "000"…"004", "LeCun 1998" or "Digit Lab"
    reported: str       # what the source printed, as text ("91.085% (Kaggle test)"), or ""
    reported_acc: float | None  # the same as a fraction for plots, None when the source gave none
    train: TrainConfig


def _seed004_mlp(k: int = 1, m: int = 30) -> MLPConfig:
    return MLPConfig(hidden=(m,) * k, activation="sigmoid", input="unit")


_P = [
    Preset("quick", "Quick CNN: watch it learn", "A small CNN (two conv blocks of 12 and 24 filters with batch "
           "norm, no dense layer), AdamW with one-cycle, 2 epochs: about 98.5% in under 30 s of training on one "
           "laptop core, so a class can watch it learn.",
           "Digit Lab", "LeCun 1998: LeNet-1, a smaller CNN, 1.7% error → 98.3%", 0.983,
           TrainConfig(CNNConfig(blocks=(ConvBlock(12, batch_norm=True), ConvBlock(24, batch_norm=True)),
                                 dense=(), input="standard"),
                       preset="quick", optimizer="adamw", lr=3e-3, batch_size=128, epochs=2, schedule="onecycle")),
    Preset("mlp", "Digit Lab MLP", "Our default MLP: 784-1024-1024-10 ReLU, batch norm and dropout, "
           "AdamW with one-cycle, trained with augmentation so it reads drawn digits.",
           "Digit Lab", "LeCun 1998: 3-layer NN 500+150 HU 97.05%", 0.9705,
           TrainConfig(MLPConfig(hidden=(1024, 1024), dropout=0.2, batch_norm=True), preset="mlp",
                       optimizer="adamw", lr=3e-3, weight_decay=1e-4, batch_size=256, epochs=30,
                       schedule="onecycle", augment=True)),
    Preset("cnn", "Digit Lab CNN", "Our default CNN: three conv blocks with batch norm (32-64-128), "
           "AdamW with one-cycle, trained with augmentation so it reads drawn digits.",
           "Digit Lab", "Simard 2003: CNN with elastic distortions 99.6%", 0.996,
           TrainConfig(CNNConfig(blocks=(ConvBlock(32, kernel=5, batch_norm=True),
                                         ConvBlock(64, batch_norm=True),
                                         ConvBlock(128, batch_norm=True, dropout=0.2)),
                                 dense=(), input="standard"),
                       preset="cnn", optimizer="adamw", lr=3e-3, weight_decay=5e-4, batch_size=128,
                       epochs=12, schedule="onecycle", augment=True)),
    Preset("seed000-mlp", "000 · Kaggle MLP", "Seed 000's Keras MLP: 784-784-300-10 sigmoid, MSE on "
           "one-hot, plain SGD lr 0.01 on raw 0–255 pixels, one image per step.",
           "000", "91.085% (Kaggle test)", 0.91085,
           TrainConfig(MLPConfig(hidden=(784, 300), activation="sigmoid", input="raw255"),
                       preset="seed000-mlp", optimizer="sgd", lr=0.01, batch_size=1, epochs=10, loss="mse")),
    Preset("seed000-cnn", "000 · Kaggle CNN", "Seed 000's Keras CNN: 2×conv5×5/32, 2×conv3×3/64, "
           "dense 256, MSE, RMSprop 1e-3, batch 42, 9 epochs.",
           "000", "97.7% (train accuracy)", 0.977,
           TrainConfig(CNNConfig(blocks=(ConvBlock(32, kernel=5, convs=2, dropout=0.25),
                                         ConvBlock(64, kernel=3, convs=2, dropout=0.25)),
                                 dense=(256,), dense_dropout=0.5, input="unit"),
                       preset="seed000-cnn", optimizer="rmsprop", lr=1e-3, rho=0.9, batch_size=42,
                       epochs=9, loss="mse")),
    Preset("seed001-mlp", "001 · Keras MLP", "Seed 001's MLP: 784-512-128-10 ReLU with dropout "
           "(rate unstated; ours 0.2), Adamax, batch 128, 10 epochs, tested on the 10k test set.",
           "001", "98.00% val, 99.16% evaluate (the article disagrees with itself)", 0.98,
           TrainConfig(MLPConfig(hidden=(512, 128), dropout=0.2, input="unit"), preset="seed001-mlp",
                       optimizer="adamax", lr=2e-3, batch_size=128, epochs=10)),
    Preset("seed001-cnn", "001 · Keras CNN", "Seed 001's CNN: conv3×3/32, conv3×3/16, pool, dense 128, "
           "dropout (rate unstated; ours 0.25), Adadelta lr 1.0 (Keras 2 default), batch 128, 10 epochs.",
           "001", "99.12% (test)", 0.9912,
           TrainConfig(CNNConfig(blocks=(ConvBlock(32, padding="valid", pool=0, dropout=0.25),
                                         ConvBlock(16, padding="valid", dropout=0.25)),
                                 dense=(128,), dense_dropout=0.25, input="unit"),
                       preset="seed001-cnn", optimizer="adadelta", lr=1.0, rho=0.95, batch_size=128,
                       epochs=10)),
    Preset("seed002-cnn", "002 · 99% CNN", "Seed 002's CNN: conv32-BN-pool, pad, conv48-BN-pool, pad, "
           "conv2×2/64-BN-pool, dense 3168, RMSprop, batch 64, 50 epochs, 20% held out for validation.",
           "002", "≥ 99.2% (Kaggle, top 20%)", 0.992,
           TrainConfig(CNNConfig(blocks=(ConvBlock(32, padding="valid", batch_norm=True),
                                         ConvBlock(48, padding="valid", pad_before=1, batch_norm=True),
                                         ConvBlock(64, kernel=2, padding="valid", pad_before=1,
                                                   batch_norm=True, dropout=0.25)),
                                 dense=(3168,), input="unit"),
                       preset="seed002-cnn", optimizer="rmsprop", lr=1e-3, batch_size=64, epochs=50,
                       val_size=12_000)),
    Preset("seed003-cnn", "003 · Shallow CNN", "Seed 003's 'hello world': conv3×3/28, dense 128, sparse "
           "CE, SGD lr 0.001 ×0.9 per epoch, batch 100; stops when train accuracy drops (≤ 30 epochs, ours).",
           "003", "curves only (no figure)", None,
           TrainConfig(CNNConfig(blocks=(ConvBlock(28, padding="valid", pool=0),), dense=(128,), input="unit"),
                       preset="seed003-cnn", optimizer="sgd", lr=1e-3, batch_size=100, epochs=30,
                       schedule="exp", gamma=0.9, early_stopping="train_drop")),
    Preset("seed004-mlp", "004 · Course-lab MLP", "Seed 004's lab: k sigmoid layers of m units "
           "(default [784,30,10]), CE + L2 1e-4, SGD lr 0.01, batch 10, 30 epochs, 50k/10k/10k; "
           "the test set is scored only when validation improves.",
           "004", "93.17% (PyTorch [784,30,10], 171 s); NumPy η 1.3: 94.3%", 0.9317,
           TrainConfig(_seed004_mlp(), preset="seed004-mlp", optimizer="sgd", lr=0.01, batch_size=10,
                       epochs=30, weight_decay=1e-4, val_size=10_000, test_protocol="on_val_improve")),
    Preset("lenet5", "LeNet-5 (1998)", "LeCun 1998's LeNet-5: conv5×5/6 tanh, avg-pool, conv5×5/16, "
           "avg-pool, 120, 84, 10; ours uses cross-entropy and SGD with momentum, not the RBF output.",
           "LeCun 1998", "0.95% error → 99.05%", 0.9905,
           TrainConfig(CNNConfig(blocks=(ConvBlock(6, kernel=5, padding="valid", pad_before=2, pool_kind="avg"),
                                         ConvBlock(16, kernel=5, padding="valid", pool_kind="avg")),
                                 dense=(120, 84), activation="tanh", input="standard"),
                       preset="lenet5", optimizer="sgd", lr=0.05, momentum=0.9, batch_size=64, epochs=20,
                       schedule="cosine")),
    Preset("mlp-300", "LeCun 2-layer NN, 300 HU", "LeCun 1998's 2-layer net: 784-300-10 sigmoid trained "
           "with MSE; plain SGD lr 0.1, batch 32, 20 epochs are ours.",
           "LeCun 1998", "4.7% error → 95.3%", 0.953,
           TrainConfig(MLPConfig(hidden=(300,), activation="sigmoid", input="unit"), preset="mlp-300",
                       optimizer="sgd", lr=0.1, batch_size=32, epochs=20, loss="mse")),
]
PRESETS: dict[str, Preset] = {p.name: p for p in _P}


def get(name: str, *, k: int | None = None, m: int | None = None) -> Preset:
    """The named preset; seed004-mlp takes k hidden layers of m units (1 ≤ k ≤ 3)."""
    if name not in PRESETS:
        raise KeyError(f"unknown preset {name!r}; choose from {', '.join(PRESETS)}")
    p = PRESETS[name]
    if k is None and m is None:
        return p
    if name != "seed004-mlp":
        raise ValueError("k and m apply to seed004-mlp only")
    k, m = k or 1, m or 30
    if not 1 <= k <= 3 or not 1 <= m <= 4096:
        raise ValueError(f"seed004-mlp needs 1 ≤ k ≤ 3 and 1 ≤ m ≤ 4096, got k={k}, m={m}")
    return replace(p, train=replace(p.train, model=_seed004_mlp(k, m)))

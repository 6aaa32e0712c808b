"""What a sweep is asked to do: its config, the article's and the whole study's, and the parsing of
depths and widths typed on the Sweep page or the command line.

Every size is checked before anything is built from it: "1:1000000000" is refused from its three
numbers, not after a billion-element range was made (that cost 2.7 GB of the server's memory).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

from model.batched_mlp import ACTIVATIONS

PROTOCOLS = ("seed004", "plain")   # seed004: 50k/10k/10k, test only when val improves; plain: 60k/test
BACKENDS = ("torch", "numpy")
MAX_M = 4096          # units per hidden layer
MAX_WIDTHS = 4096     # widths in one sweep (the study has 775)
MAX_UNITS = 65_536    # hidden units per piece (one batched model)
MAX_SEED = 2**32 - 1  # numpy's generators take seeds up to here


@dataclass(frozen=True)
class SweepConfig:
    ks: tuple[int, ...] = (1,)                        # depths: hidden layers, 1-3
    ms: tuple[int, ...] = tuple(range(10, 298))       # widths: units per hidden layer
    epochs: int = 2
    lr: float = 0.01             # SGD learning rate (the NumPy twin's η)
    batch_size: int = 10
    l2: float = 1e-4             # torch: weight_decay; the NumPy twin: λ of (λ/2n)·Σw²
    activation: str = "sigmoid"
    protocol: str = "seed004"
    backend: str = "torch"
    device: str = "auto"
    seed: int = 0
    subset: int = 0              # train on the first N training images only (tests, quick looks)
    max_units: int = 2048        # hidden units per layer of one piece (one batched model)

    def problems(self) -> list[str]:
        """What is wrong with this config, in words (empty when it can run)."""
        out = []
        whole = lambda v, lo, hi: isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi  # noqa: E731
        if not self.ks or not all(whole(k, 1, 3) for k in self.ks):
            out.append("k must be 1-3")
        if not self.ms or len(self.ms) > MAX_WIDTHS or not all(whole(m, 1, MAX_M) for m in self.ms):
            out.append(f"m must be at most {MAX_WIDTHS} whole numbers from 1 to {MAX_M}")
        if not whole(self.epochs, 1, 100):
            out.append("epochs must be 1-100")
        if not (0 < self.lr <= 100 and math.isfinite(self.lr)):
            out.append("the learning rate must be above 0 and at most 100")
        if not whole(self.batch_size, 1, 60_000):
            out.append("the batch size must be 1-60000")
        if not (0 <= self.l2 <= 10 and math.isfinite(self.l2)):
            out.append("L2 must be 0-10")
        if self.activation not in ACTIVATIONS:
            out.append(f"activation must be one of {', '.join(ACTIVATIONS)}")
        if self.protocol not in PROTOCOLS or self.backend not in BACKENDS:
            out.append(f"protocol must be {' or '.join(PROTOCOLS)}, backend {' or '.join(BACKENDS)}")
        if self.backend == "numpy" and self.activation != "sigmoid":
            out.append("the NumPy twin has sigmoid layers only")
        if not whole(self.seed, 0, MAX_SEED):
            out.append(f"the seed must be a whole number from 0 to {MAX_SEED}")
        if not whole(self.subset, 0, 60_000):
            out.append("the subset must be 0 (all images) to 60000")
        if not whole(self.max_units, 1, MAX_UNITS):
            out.append(f"the units per piece must be 1-{MAX_UNITS}")
        return out

    def to_dict(self) -> dict:
        return {**asdict(self), "ks": list(self.ks), "ms": list(self.ms)}

    @classmethod
    def from_dict(cls, d: dict) -> SweepConfig:
        known = {f.name for f in fields(cls)}
        d = {k: v for k, v in d.items() if k in known}
        return cls(**{**d, "ks": tuple(d.get("ks", (1,))), "ms": tuple(d.get("ms", ()))})


ARTICLE = SweepConfig()  # the article's PyTorch sweep: k = 1, m = 10…297, 2 epochs (best: m = 247, 93.51%)
STUDY = SweepConfig(ks=(1, 2, 3), ms=tuple(range(10, 785)), epochs=30)  # the study the article could not run


def width_range(start: int, stop: int, step: int = 1) -> tuple[int, ...]:
    """start…stop (included) by step, refused before it is built when it leaves 1…MAX_M."""
    if not (1 <= start <= MAX_M and 1 <= stop <= MAX_M):
        raise ValueError(f"widths must be from 1 to {MAX_M}")
    if step < 1 or stop < start:
        raise ValueError("a range is start:stop or start:stop:step, with start ≤ stop and step ≥ 1")
    return tuple(range(start, stop + 1, step))  # at most MAX_M values, since start and stop are checked


def _whole(text: str) -> int:
    text = text.strip()
    if not text.isdecimal():
        raise ValueError(f"{text[:20]!r} is not a width (a whole number from 1 to {MAX_M})")
    if len(text) > 6:  # far above MAX_M: refused from its length, no huge number is made
        raise ValueError(f"widths must be from 1 to {MAX_M}")
    return int(text)


def parse_ms(text: str) -> tuple[int, ...]:
    """"10,30,100" or "10:784" or "10:784:5" (start:stop:step, stop included) → widths, every size
    checked before anything is built from it."""
    if ":" in text:
        parts = text.split(":")
        if len(parts) not in (2, 3):
            raise ValueError("a range is start:stop or start:stop:step, with start ≤ stop and step ≥ 1")
        return width_range(*(_whole(p) for p in parts))
    if text.count(",") >= MAX_WIDTHS:
        raise ValueError(f"at most {MAX_WIDTHS} widths")
    ms = tuple(_whole(v) for v in text.split(","))
    if not all(1 <= m <= MAX_M for m in ms):
        raise ValueError(f"widths must be from 1 to {MAX_M}")
    return ms


def parse_ks(text: str) -> tuple[int, ...]:
    """"1,2" → (1, 2): depths 1-3, each once, in order."""
    if text.count(",") > 10:
        raise ValueError("k must be 1-3")
    ks = [v.strip() for v in text.split(",")]
    if not all(v in ("1", "2", "3") for v in ks):
        raise ValueError("k must be 1-3")
    return tuple(sorted({int(v) for v in ks}))

"""How much memory a training run needs at its peak, from its config alone, and the refusal of one that would
not fit, with the estimate and the limit (issue 17: a CNN asking for 38.5 GB died in a raw RuntimeError).

What is counted: weights, gradients and the optimiser's state (float32), the activations one batch keeps for
its backward pass with room for their gradients (or one scoring batch, if more), MNIST on the device, the
process itself, and a teacher's weights and the largest output of its pass over each batch (`--teacher`).
Checked against a fresh process's peak resident memory in tests/test_estimate.py (within 0.8–1.6×). The
limit is what the device has free now: psutil on a CPU or Apple GPU, CUDA's own count on a GPU.
The Train page disables Start with the sentence; `python -m train` refuses with it (exit 2).
"""

from __future__ import annotations

from dataclasses import dataclass

from model import store
from model.nets import CNNConfig, config_from_dict, count_params
from model.paths import PRETRAINED
from model.presets import TrainConfig
from train.run import device_slot

OPT_STATE = {"sgd": 0, "adam": 2, "adamw": 2, "adamax": 2, "rmsprop": 1, "adadelta": 2}  # tensors per weight


def device(cfg: TrainConfig) -> str:
    """The job's device slot ('cpu', 'cuda:N', 'mps'); TrainingError where this machine lacks the device."""
    from train.engine import resolve_device  # torch: only when a figure is asked for
    return device_slot(str(resolve_device(cfg.device)))


def _activations(model) -> tuple[int, int]:
    """(values kept for the backward pass, largest single output) per image, counted from the config.

    Each layer's output is kept by the op after it (conv, activation, batch norm, pool); a max pool also
    keeps its int64 indices (2 float32 each), a dropout its mask; scaling the input makes two copies."""
    kept, peak, side, ch = 784 * 3, 784, 28, 1
    if isinstance(model, CNNConfig):
        for b in model.blocks:
            side += 2 * b.pad_before
            kept += ch * side * side if b.pad_before else 0
            for _ in range(b.convs):
                side -= b.kernel - 1 if b.padding == "valid" else 0
                ch, out = b.filters, b.filters * side * side
                kept, peak = kept + out * (3 if b.batch_norm else 2), max(peak, out)
            if b.pool:
                side //= b.pool
                kept += ch * side * side * (3 if b.pool_kind == "max" else 1)
            kept += int(ch * side * side * 1.25) if b.dropout else 0
        dense, norm, drop = model.dense, False, model.dense_dropout
    else:
        dense, norm, drop = model.hidden, model.batch_norm, model.dropout
    for h in (*dense, 10):
        kept, peak = kept + h * (2 + norm) + (int(h * 1.25) if drop else 0), max(peak, h)
    return kept, peak


@dataclass(frozen=True)
class Memory:
    need: int      # bytes the run would use at its peak (estimated)
    free: int      # bytes its device has free now
    device: str    # cpu, cuda:N or mps
    batch: int

    @property
    def fits(self) -> bool:
        return self.need <= self.free


def _free(device: str) -> int:
    if device.startswith("cuda"):
        import torch
        return int(torch.cuda.mem_get_info(int(device.split(":")[1]))[0])
    import psutil
    return int(psutil.virtual_memory().available)


def memory(cfg: TrainConfig, drawings: int = 0) -> Memory:
    """What `cfg` needs at its peak: weights, gradients, optimiser state and an average (float32), the
    activations of one training batch with room for their gradients, or of one scoring batch, whichever is
    more; MNIST on the device; and the process itself (torch's libraries on a CPU, the CUDA context on a GPU)."""
    slot = device(cfg)
    params = count_params(cfg.model)
    states = OPT_STATE[cfg.optimizer] + (cfg.optimizer == "sgd" and cfg.momentum > 0)
    kept, peak = _activations(cfg.model)
    train_batch = 4 * cfg.batch_size * (kept + 2 * peak + (12 * 784 if cfg.augment else 0))
    gpu = slot.startswith("cuda")
    score_batch = 4 * (8192 if gpu else 2000) * 2 * peak  # the engine's scoring batch
    data = (70_000 + drawings) * (784 + 8) * (1 if gpu else 2)  # uint8 + int64 labels; on a CPU, NumPy's copy too
    process = (500 if gpu else 400) * 2**20  # the CUDA context; torch's libraries
    copies = 2 + states + (cfg.average > 0)  # weights, gradients, optimiser state, an average
    need = 4 * params * copies + max(train_batch, score_batch) + data + process + _teacher(cfg)
    return Memory(need, _free(slot), slot, cfg.batch_size)


def _teacher(cfg: TrainConfig) -> int:
    """Bytes a teacher adds: its weights, and its output and input of the largest layer on one batch (it keeps
    nothing for a backward pass). 0 without one, or for one that cannot be read (the run refuses it anyway)."""
    if not cfg.teacher:
        return 0
    try:
        arch = config_from_dict(store.read_info(PRETRAINED / cfg.teacher)["architecture"])
    except (store.CheckpointError, KeyError, TypeError, ValueError):
        return 0
    return 4 * count_params(arch) + 4 * cfg.batch_size * 2 * _activations(arch)[1]


def size_text(n: int) -> str:
    """Bytes as a person reads them: '850 MB', '38.5 GB'."""
    return f"{n / 2**30:,.1f} GB" if n >= 2**30 else f"{max(n, 2**20) / 2**20:,.0f} MB"


def check_memory(cfg: TrainConfig, drawings: int = 0) -> Memory:
    """Refuse (ValueError, with the estimate and the limit) a run that would not fit in memory."""
    m = memory(cfg, drawings)
    if not m.fits:
        where = "this computer" if m.device in ("cpu", "mps") else f"the GPU ({m.device})"
        raise ValueError(f"this run needs about {size_text(m.need)} of memory (the model, its optimiser and the "
                         f"activations of {m.batch:,} images at a time); {where} has {size_text(m.free)} free: "
                         "use a smaller batch or a smaller model")
    return m

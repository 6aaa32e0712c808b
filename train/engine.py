"""The training loop: one visible loop over in-memory MNIST, emitting plain-dict events to a callback.

The whole split lives on the training device as uint8 and is batched by indexing with a permutation,
so there is no DataLoader and no per-sample Python. The event shapes are in docs/ARCHITECTURE.md.

`train` reads top to bottom: `prepare_data` (shared with sweep/core.py), then per epoch `run_epoch`
(the steps) and `Scoreboard` (validation, seed 004's test protocol, early stopping).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from classroom.drawings import with_class_drawings
from model.nets import build, n_params
from model.presets import TrainConfig, validate_train
from train.augment import augment
from train.data import MNIST, load_mnist, split

Event = dict
EVENT_EVERY_S = 0.5  # how often step events are emitted: often enough for live curves, cheap enough


class TrainingError(RuntimeError):
    """A run that cannot go on; the message says what happened and what to try."""


@dataclass
class TrainResult:
    model: torch.nn.Module
    metrics: dict                      # final figures: test_acc, val_acc, train_acc, seconds, …
    history: list[dict] = field(default_factory=list)  # the epoch events
    stopped: bool = False              # a stop request ended it early
    device: str = "cpu"
    class_drawing_ids: list[int] = field(default_factory=list)  # the class's drawings it trained on


def resolve_device(name: str = "auto") -> torch.device:
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        dev = torch.device(name)
    except RuntimeError:
        raise TrainingError(f"unknown device {name!r}; use auto, cpu, cuda or mps") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise TrainingError("CUDA was asked for, but this machine has no usable CUDA GPU; use --device cpu")
    if dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count():
        raise TrainingError(f"there is no GPU {dev.index}: this machine has {torch.cuda.device_count()}")
    return dev


def device_name(dev: torch.device) -> str:
    if dev.type == "cuda":
        return torch.cuda.get_device_name(dev)
    return {"mps": "Apple GPU (MPS)"}.get(dev.type, "CPU")


def make_optimizer(cfg: TrainConfig, params) -> torch.optim.Optimizer:
    wd = cfg.weight_decay
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, nesterov=cfg.momentum > 0,
                               weight_decay=wd)
    if cfg.optimizer == "rmsprop":  # Keras' epsilon; torch's default 1e-8 is less stable early
        return torch.optim.RMSprop(params, lr=cfg.lr, alpha=cfg.rho, eps=1e-7, weight_decay=wd)
    if cfg.optimizer == "adadelta":
        return torch.optim.Adadelta(params, lr=cfg.lr, rho=cfg.rho, eps=1e-7, weight_decay=wd)
    opt = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "adamax": torch.optim.Adamax}[cfg.optimizer]
    return opt(params, lr=cfg.lr, weight_decay=wd)


def get_lr(cfg: TrainConfig, epoch: int, progress: float) -> float:
    """Learning rate at `progress` ∈ [0, 1] of the whole run (epoch counts from 0)."""
    if cfg.schedule == "exp":
        return cfg.lr * cfg.gamma ** epoch
    if cfg.schedule == "cosine":
        return cfg.lr * 0.5 * (1 + math.cos(math.pi * progress))
    if cfg.schedule == "onecycle":  # warm up over the first 25%, then cosine down to lr/1e4
        warm = 0.25
        if progress < warm:
            return cfg.lr * (0.04 + 0.96 * 0.5 * (1 - math.cos(math.pi * progress / warm)))
        t = (progress - warm) / (1 - warm)
        return cfg.lr * (1e-4 + (1 - 1e-4) * 0.5 * (1 + math.cos(math.pi * t)))
    return cfg.lr


def loss_fn(cfg: TrainConfig, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    if cfg.loss == "mse":  # seeds 000 and LeCun's nets: MSE of the outputs against one-hot targets
        return F.mse_loss(logits.float(), F.one_hot(y, 10).float())
    return F.cross_entropy(logits.float(), y)


def to_input(xb: torch.Tensor) -> torch.Tensor:
    """(B, 28, 28) uint8 → (B, 1, 28, 28) float in [0, 1], on the tensor's own device."""
    return xb.unsqueeze(1).float().div_(255)


@torch.inference_mode()
def evaluate(model, x: torch.Tensor, y: torch.Tensor, cfg: TrainConfig, batch: int) -> tuple[float, float]:
    """Accuracy and mean loss of `model` on uint8 images `x` (N, 28, 28) with labels `y`."""
    was_training = model.training
    model.eval()
    correct, loss_sum = 0, 0.0
    for i in range(0, len(x), batch):
        xb, yb = to_input(x[i:i + batch]), y[i:i + batch]
        with _autocast(xb.device):
            logits = model(_layout(xb))
        correct += int((logits.argmax(1) == yb).sum())
        loss_sum += float(loss_fn(cfg, logits, yb)) * len(xb)
    model.train(was_training)
    return correct / max(len(x), 1), loss_sum / max(len(x), 1)


def _autocast(dev: torch.device):
    # bf16 on CUDA: tensor cores, no loss scaling needed; CPU autocast is slower for these small nets
    return torch.autocast("cuda", dtype=torch.bfloat16, enabled=dev.type == "cuda")


def _layout(x: torch.Tensor) -> torch.Tensor:
    # channels_last: cuDNN's tensor-core kernels and oneDNN's CPU convolutions both run faster on it
    return x.contiguous(memory_format=torch.channels_last)


@dataclass
class Tensors:
    """The three splits on the training device: uint8 images (N, 28, 28) and int64 labels (N,)."""
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor


def prepare_data(data: MNIST, dev: torch.device, val_size: int = 0, seed: int = 0, subset: int = 0) -> Tensors:
    """Split the training images (seed 004's 50k/10k with val_size=10_000), keep the first `subset`
    for training if asked, and move everything to `dev`. The engine and the sweep both start here."""
    sp = split(len(data.x_train), val_size, seed)
    train_idx = sp.train[:subset] if subset else sp.train
    x_tr, y_tr = data.x_train[train_idx], data.y_train[train_idx]  # (N, 28, 28), (N,): extend here
    as_t = lambda a: torch.from_numpy(np.array(a)).to(dev)  # noqa: E731 - a writable copy
    return Tensors(as_t(x_tr), as_t(y_tr).long(), as_t(data.x_train[sp.val]), as_t(data.y_train[sp.val]).long(),
                   as_t(data.x_test), as_t(data.y_test).long())


@dataclass
class Loop:
    """What the steps of one run share: the model, its optimiser, the data and the counters."""
    cfg: TrainConfig
    dev: torch.device
    model: torch.nn.Module
    opt: torch.optim.Optimizer
    data: Tensors
    emit: Callable[[Event], None]
    should_stop: Callable[[], bool]
    total_steps: int
    step: int = 0                      # optimiser steps taken
    seen: int = 0                      # training images seen
    eval_s: float = 0.0                # seconds spent scoring val/test, kept apart from training time
    t0: float = field(default_factory=time.perf_counter)

    def __post_init__(self):
        self.gen = torch.Generator(device=self.dev).manual_seed(self.cfg.seed)  # augmentation
        self.cpu_gen = torch.Generator().manual_seed(self.cfg.seed)             # shuffling
        self.eval_bs = 8192 if self.dev.type == "cuda" else 2000
        self.check_every = 1 if self.dev.type == "cpu" else 25  # a finite-loss check syncs the GPU

    def train_s(self) -> float:
        return time.perf_counter() - self.t0 - self.eval_s


def train_step(loop: Loop, xb: torch.Tensor, yb: torch.Tensor, lr: float) -> tuple[torch.Tensor, torch.Tensor]:
    """One SGD step on a uint8 batch (B, 28, 28); returns (loss, logits), both still on the device."""
    cfg = loop.cfg
    for g in loop.opt.param_groups:
        g["lr"] = lr
    x = to_input(xb)
    if cfg.augment:
        x = augment(x, loop.gen)
    try:
        with _autocast(loop.dev):
            logits = loop.model(_layout(x))
        loss = loss_fn(cfg, logits, yb)
        loop.opt.zero_grad(set_to_none=True)
        loss.backward()
        loop.opt.step()
    except torch.OutOfMemoryError:
        raise TrainingError(f"out of GPU memory at batch size {cfg.batch_size}: try a smaller batch "
                            f"(e.g. {max(1, cfg.batch_size // 4)}) or a smaller model") from None
    return loss.detach(), logits.detach()


def run_epoch(loop: Loop, epoch: int) -> tuple[float, float, bool]:
    """One shuffled pass over the training set, emitting step events about every EVENT_EVERY_S.

    Returns (train accuracy of the steps taken, last learning rate, whether a stop was asked)."""
    cfg, x, y = loop.cfg, loop.data.x_train, loop.data.y_train
    n, bs = len(x), cfg.batch_size
    perm = torch.randperm(n, generator=loop.cpu_gen).to(loop.dev)
    win_loss = torch.zeros((), device=loop.dev)  # summed over the steps since the last step event
    win_correct = torch.zeros((), device=loop.dev, dtype=torch.long)
    win_n = ep_correct = ep_n = 0
    lr, last_emit = cfg.lr, time.perf_counter()
    for i in range(0, n, bs):
        lr = get_lr(cfg, epoch, loop.step / max(loop.total_steps, 1))
        idx = perm[i:i + bs]
        loss, logits = train_step(loop, x[idx], y[idx], lr)
        loop.step, loop.seen = loop.step + 1, loop.seen + len(idx)
        if loop.step % loop.check_every == 0 and not math.isfinite(value := float(loss)):
            raise TrainingError(f"training diverged: the loss became {value} at step {loop.step} (epoch "
                                f"{epoch + 1}, learning rate {lr:.3g}); try a learning rate 10× lower"
                                f"{', or cross-entropy instead of MSE' if cfg.loss == 'mse' else ''}")
        win_loss += loss * len(idx)
        win_correct += (logits.argmax(1) == y[idx]).sum()
        win_n += len(idx)
        stop, out_of_steps = loop.should_stop(), loop.step >= loop.total_steps
        if stop or out_of_steps or i + bs >= n or time.perf_counter() - last_emit >= EVENT_EVERY_S:
            c = int(win_correct)
            ep_correct, ep_n = ep_correct + c, ep_n + win_n
            elapsed = loop.train_s()
            loop.emit({"kind": "step", "epoch": epoch + 1, "step": loop.step, "seen": loop.seen,
                       "loss": float(win_loss) / win_n, "acc": c / win_n, "lr": lr,
                       "samples_per_s": loop.seen / elapsed, "progress": loop.step / loop.total_steps,
                       "eta_s": elapsed / loop.step * (loop.total_steps - loop.step)})
            win_loss.zero_()
            win_correct.zero_()
            win_n, last_emit = 0, time.perf_counter()
        if stop or out_of_steps:
            return ep_correct / max(ep_n, 1), lr, stop
    return ep_correct / max(ep_n, 1), lr, False


@dataclass
class Scoreboard:
    """Validation and test scoring after each epoch, seed 004's test protocol, and early stopping."""
    best_val: float = -1.0
    best_state: dict | None = None     # the best epoch's weights, kept for early stopping on validation
    bad_epochs: int = 0
    prev_train_acc: float = -1.0
    test_acc: float | None = None
    test_loss: float | None = None

    def score(self, loop: Loop, ev: dict) -> None:
        """Add val_acc/val_loss (when there is a validation set) and test_acc/test_loss to epoch event `ev`."""
        cfg, d, t = loop.cfg, loop.data, time.perf_counter()
        improved = True
        if len(d.x_val):
            ev["val_acc"], ev["val_loss"] = evaluate(loop.model, d.x_val, d.y_val, cfg, loop.eval_bs)
            improved = ev["val_acc"] > self.best_val
            if improved:
                self.best_val, self.bad_epochs = ev["val_acc"], 0
                if cfg.early_stopping == "val":
                    self.best_state = {k: v.detach().clone() for k, v in loop.model.state_dict().items()}
            else:
                self.bad_epochs += 1
        if cfg.test_protocol == "every_epoch" or improved:  # seed 004: test only when validation improves
            self.test_acc, self.test_loss = evaluate(loop.model, d.x_test, d.y_test, cfg, loop.eval_bs)
            ev["test_acc"], ev["test_loss"] = self.test_acc, self.test_loss
        loop.eval_s += time.perf_counter() - t

    def early_stop(self, cfg: TrainConfig, train_acc: float) -> str | None:
        """The reason to stop after this epoch, or None to go on."""
        if cfg.early_stopping == "val" and self.bad_epochs >= cfg.patience:
            return f"early stop: validation did not improve for {cfg.patience} epochs"
        if cfg.early_stopping == "train_drop" and train_acc < self.prev_train_acc:
            return "early stop: train accuracy dropped"
        self.prev_train_acc = train_acc
        return None


def train(cfg: TrainConfig, on_event: Callable[[Event], None] | None = None,
          should_stop: Callable[[], bool] | None = None, data: MNIST | None = None) -> TrainResult:
    """Train `cfg` and return the model with its final metrics. Raises TrainingError on divergence/OOM."""
    validate_train(cfg)
    dev = resolve_device(cfg.device)
    torch.manual_seed(cfg.seed)
    if dev.type == "cuda":
        torch.backends.cudnn.benchmark = True
    d = prepare_data(data or load_mnist(), dev, cfg.val_size, cfg.seed, cfg.subset)
    d.x_train, d.y_train, drawn = with_class_drawings(d.x_train, d.y_train, cfg.class_drawings)  # teacher's weight
    model = build(cfg.model).to(dev).to(memory_format=torch.channels_last)
    steps_per_epoch = math.ceil(len(d.x_train) / cfg.batch_size)
    total_steps = min(steps_per_epoch * cfg.epochs, cfg.max_steps or math.inf)
    loop = Loop(cfg, dev, model, make_optimizer(cfg, model.parameters()), d, on_event or (lambda e: None),
                should_stop or (lambda: False), total_steps)
    loop.emit({"kind": "start", "device": str(dev), "device_name": device_name(dev), "params": n_params(model),
               "n_train": len(d.x_train), "n_val": len(d.x_val), "n_test": len(d.x_test), "epochs": cfg.epochs,
               "steps_per_epoch": steps_per_epoch, "total_steps": total_steps, "batch_size": cfg.batch_size})

    board, history, stopped, stop_reason = Scoreboard(), [], False, "finished"
    for epoch in range(cfg.epochs):
        if epoch and loop.should_stop():  # asked while the last epoch was scored: no empty epoch after it
            stopped, stop_reason = True, "stopped"
            break
        t_epoch = time.perf_counter()
        train_acc, lr, stopped = run_epoch(loop, epoch)
        ev = {"kind": "epoch", "epoch": epoch + 1, "train_acc": train_acc, "lr": lr,
              "train_s": loop.train_s()}  # cumulative seconds of training steps only
        board.score(loop, ev)
        ev["seconds"], ev["elapsed_s"] = time.perf_counter() - t_epoch, time.perf_counter() - loop.t0
        history.append(ev)
        loop.emit(ev)
        if stopped or loop.step >= total_steps:
            stop_reason = "stopped" if stopped else ("max_steps" if cfg.max_steps else "finished")
            break
        if reason := board.early_stop(cfg, train_acc):
            stop_reason = reason
            break

    if board.best_state is not None:  # early stopping on validation keeps the best epoch's weights
        model.load_state_dict(board.best_state)
        board.test_acc, board.test_loss = evaluate(model, d.x_test, d.y_test, cfg, loop.eval_bs)
    seconds = time.perf_counter() - loop.t0
    metrics = {"test_acc": board.test_acc, "test_loss": board.test_loss,
               "val_acc": board.best_val if len(d.x_val) else None,
               "train_acc": history[-1]["train_acc"] if history else None, "epochs_run": len(history),
               "steps": loop.step, "seconds": seconds, "samples_per_s": loop.seen / seconds if seconds else None,
               "n_train": len(d.x_train), "device": str(dev), "device_name": device_name(dev),
               "stop_reason": stop_reason, "class_drawings_used": len(drawn)}
    loop.emit({"kind": "end", **metrics})
    model.eval()
    return TrainResult(model.cpu().to(memory_format=torch.contiguous_format), metrics, history, stopped, str(dev),
                       drawn.tolist())

"""The training loop: one visible loop over in-memory MNIST, emitting plain-dict events to a callback.

The whole split lives on the training device as uint8 and is batched by indexing with a permutation,
so there is no DataLoader and no per-sample Python. The event shapes are in docs/ARCHITECTURE.md.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from model.nets import build, n_params
from model.presets import TrainConfig, validate_train
from train.augment import augment
from train.collection import with_class_drawings
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


def train(cfg: TrainConfig, on_event: Callable[[Event], None] | None = None,
          should_stop: Callable[[], bool] | None = None, data: MNIST | None = None) -> TrainResult:
    """Train `cfg` and return the model with its final metrics. Raises TrainingError on divergence/OOM."""
    validate_train(cfg)
    emit = on_event or (lambda e: None)
    should_stop = should_stop or (lambda: False)
    dev = resolve_device(cfg.device)
    torch.manual_seed(cfg.seed)
    if dev.type == "cuda":
        torch.backends.cudnn.benchmark = True
    data = data or load_mnist()
    sp = split(len(data.x_train), cfg.val_size, cfg.seed)
    train_idx = sp.train[:cfg.subset] if cfg.subset else sp.train
    as_t = lambda a: torch.from_numpy(np.array(a)).to(dev)  # noqa: E731 - a writable copy
    x_tr, y_tr = as_t(data.x_train[train_idx]), as_t(data.y_train[train_idx]).long()
    x_tr, y_tr = with_class_drawings(x_tr, y_tr, cfg.class_drawings)
    x_va, y_va = as_t(data.x_train[sp.val]), as_t(data.y_train[sp.val]).long()
    x_te, y_te = as_t(data.x_test), as_t(data.y_test).long()

    model = build(cfg.model).to(dev).to(memory_format=torch.channels_last)
    opt = make_optimizer(cfg, model.parameters())
    gen = torch.Generator(device=dev).manual_seed(cfg.seed)
    cpu_gen = torch.Generator().manual_seed(cfg.seed)
    n, bs = len(x_tr), cfg.batch_size
    steps_per_epoch = math.ceil(n / bs)
    total_steps = steps_per_epoch * cfg.epochs
    if cfg.max_steps:
        total_steps = min(total_steps, cfg.max_steps)
    eval_bs = 8192 if dev.type == "cuda" else 2000
    check_every = 1 if dev.type == "cpu" else 25  # a finite-loss check syncs the GPU: not every step
    emit({"kind": "start", "device": str(dev), "device_name": device_name(dev), "params": n_params(model),
          "n_train": n, "n_val": len(x_va), "n_test": len(x_te), "epochs": cfg.epochs,
          "steps_per_epoch": steps_per_epoch, "total_steps": total_steps, "batch_size": bs})

    history: list[dict] = []
    best_val, best_state, bad_epochs, prev_train_acc = -1.0, None, 0, -1.0
    test_acc = test_loss = None
    step, seen, stopped, t0 = 0, 0, False, time.perf_counter()
    eval_s = 0.0  # time spent scoring val/test sets, reported apart from training time
    stop_reason = "finished"
    for epoch in range(cfg.epochs):
        if epoch and should_stop():  # asked while the last epoch was scored: no empty epoch is recorded
            stopped, stop_reason = True, "stopped"
            break
        t_epoch, last_emit = time.perf_counter(), time.perf_counter()
        perm = torch.randperm(n, generator=cpu_gen).to(dev)
        run_loss = torch.zeros((), device=dev)
        run_correct = torch.zeros((), device=dev, dtype=torch.long)
        run_n = ep_correct = ep_n = 0
        lr = cfg.lr
        for i in range(0, n, bs):
            lr = get_lr(cfg, epoch, step / max(total_steps, 1))
            for g in opt.param_groups:
                g["lr"] = lr
            idx = perm[i:i + bs]
            xb, yb = to_input(x_tr[idx]), y_tr[idx]
            if cfg.augment:
                xb = augment(xb, gen)
            try:
                with _autocast(dev):
                    logits = model(_layout(xb))
                loss = loss_fn(cfg, logits, yb)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
            except torch.OutOfMemoryError:
                raise TrainingError(f"out of GPU memory at batch size {bs}: try a smaller batch "
                                    f"(e.g. {max(1, bs // 4)}) or a smaller model") from None
            step += 1
            seen += len(idx)
            run_loss += loss.detach() * len(idx)
            run_correct += (logits.detach().argmax(1) == yb).sum()
            run_n += len(idx)
            if step % check_every == 0 and not math.isfinite(float(loss.detach())):
                raise TrainingError(f"training diverged: the loss became {float(loss.detach())} at step {step} "
                                    f"(epoch {epoch + 1}, learning rate {lr:.3g}); try a learning rate "
                                    f"10× lower{', or cross-entropy instead of MSE' if cfg.loss == 'mse' else ''}")
            stop_now = should_stop()
            last_batch = i + bs >= n or step >= total_steps or stop_now  # a stop flushes the counts too
            if time.perf_counter() - last_emit >= EVENT_EVERY_S or last_batch:
                c = int(run_correct)
                ep_correct, ep_n = ep_correct + c, ep_n + run_n
                elapsed = time.perf_counter() - t0 - eval_s  # training time only
                emit({"kind": "step", "epoch": epoch + 1, "step": step, "seen": seen,
                      "loss": float(run_loss) / run_n, "acc": c / run_n, "lr": lr,
                      "samples_per_s": seen / elapsed, "progress": step / total_steps,
                      "eta_s": elapsed / step * (total_steps - step)})
                run_loss.zero_()
                run_correct.zero_()
                run_n, last_emit = 0, time.perf_counter()
            if stop_now:
                stopped, stop_reason = True, "stopped"
                break
            if step >= total_steps:
                break
        train_acc = ep_correct / max(ep_n, 1)
        t_eval = time.perf_counter()
        ev = {"kind": "epoch", "epoch": epoch + 1, "train_acc": train_acc, "lr": lr,
              "train_s": t_eval - t0 - eval_s}  # cumulative seconds of training steps only
        improved = True
        if len(x_va):
            ev["val_acc"], ev["val_loss"] = evaluate(model, x_va, y_va, cfg, eval_bs)
            improved = ev["val_acc"] > best_val
            if improved:
                best_val, bad_epochs = ev["val_acc"], 0
                if cfg.early_stopping == "val":
                    best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            else:
                bad_epochs += 1
        if cfg.test_protocol == "every_epoch" or improved:
            test_acc, test_loss = evaluate(model, x_te, y_te, cfg, eval_bs)
            ev["test_acc"], ev["test_loss"] = test_acc, test_loss
        eval_s += time.perf_counter() - t_eval
        ev["seconds"], ev["elapsed_s"] = time.perf_counter() - t_epoch, time.perf_counter() - t0
        history.append(ev)
        emit(ev)
        if stopped or step >= total_steps:
            stop_reason = stop_reason if stopped else ("max_steps" if cfg.max_steps else "finished")
            break
        if cfg.early_stopping == "val" and bad_epochs >= cfg.patience:
            stop_reason = f"early stop: validation did not improve for {cfg.patience} epochs"
            break
        if cfg.early_stopping == "train_drop" and train_acc < prev_train_acc:
            stop_reason = "early stop: train accuracy dropped"
            break
        prev_train_acc = train_acc

    if best_state is not None:  # early stopping on validation keeps the best epoch's weights
        model.load_state_dict(best_state)
        test_acc, test_loss = evaluate(model, x_te, y_te, cfg, eval_bs)
    seconds = time.perf_counter() - t0
    last = history[-1] if history else {}
    metrics = {"test_acc": test_acc, "test_loss": test_loss, "val_acc": best_val if len(x_va) else None,
               "train_acc": last.get("train_acc"), "epochs_run": len(history), "steps": step,
               "seconds": seconds, "samples_per_s": seen / seconds if seconds else None, "n_train": n,
               "device": str(dev), "device_name": device_name(dev), "stop_reason": stop_reason}
    emit({"kind": "end", **metrics})
    model.eval()
    return TrainResult(model.cpu().to(memory_format=torch.contiguous_format), metrics, history, stopped, str(dev))

"""The training loop: one visible loop over in-memory MNIST, emitting events (train/events.py) to a callback.

The whole split lives on the training device as uint8 and is batched by indexing with a permutation,
so there is no DataLoader and no per-sample Python. The event shapes are in docs/ARCHITECTURE.md.

`train` reads top to bottom: `prepare_data` (shared with sweep/core.py), the class's drawings mixed in
(train/heldout.py), the world-style digits (train/styles.py) and an average of the weights when asked,
then the epochs and their steps, a `Meter` (train/meter.py) saying what each step event holds, and a
`Scoreboard` (validation, seed 004's test protocol, early stopping). It is a function of its arguments:
the caller loads MNIST, the class's drawings and the model they are compared with.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from classroom.collection import Collection
from model.nets import build, n_params
from model.presets import TrainConfig, validate_train
from train import heldout
from train.augment import augment
from train.data import MNIST, load_mnist, split
from train.events import EndEvent, EpochEvent, Event, Metrics, StartEvent, StepEvent
from train.meter import Meter

STYLE_POOL = (1_000, 20_000)  # fewest and most world-style digits a run draws (about 7 ms each)
CALIBRATE = 1024  # test images scored once after the first step: the time left knows what scoring costs
TEACHER_SHARE = 0.5  # with a teacher, this share of the loss is matching its answers, the rest the labels
TEMPERATURE = 2.0  # ... both softened by this much, so that its second guesses teach too (Hinton et al. 2015)


class TrainingError(RuntimeError):
    """A run that cannot go on; the message says what happened and what to try."""


@dataclass
class TrainResult:
    model: torch.nn.Module
    metrics: Metrics                   # final figures: test_acc, val_acc, train_acc, seconds, …
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


def distil_loss(logits: torch.Tensor, teacher_logits: torch.Tensor) -> torch.Tensor:
    """How far the student's softened answers are from the teacher's (KL divergence, scaled by T² so that its
    gradients weigh as much as the labels' whatever the temperature)."""
    t = TEMPERATURE
    return F.kl_div(F.log_softmax(logits.float() / t, 1), F.log_softmax(teacher_logits.float() / t, 1),
                    reduction="batchmean", log_target=True) * t * t


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


_POOLS: dict[tuple, tuple[torch.Tensor, torch.Tensor]] = {}  # the last pool drawn, for another run of its seed
# in this process (bench/cnn_recipes.py runs each seed once per recipe; a job runs once in its own process)


def style_pool(cfg: TrainConfig, n: int, dev: torch.device) -> tuple[torch.Tensor, torch.Tensor] | None:
    """The world-style digits a run mixes in (uint8 (P, 28, 28), labels (P,)), or None when world_styles
    is 0. Twice what one epoch draws, within STYLE_POOL: each comes back a few times, differently augmented.
    Seeded by the run's seed, in a stream of its own, so that bench/world_styles.py's seeds are never drawn."""
    if cfg.world_styles <= 0:
        return None
    try:  # Pillow draws them: a run without them needs only torch, numpy and safetensors (a GPU machine's)
        from train import styles
    except ModuleNotFoundError as e:
        raise TrainingError(f"world-style digits need the package {e.name!r} (pip install pillow), "
                            "or train with world_styles 0") from None
    size = min(STYLE_POOL[1], max(STYLE_POOL[0], math.ceil(2 * cfg.world_styles * n)))
    key = (cfg.seed, size, str(dev))
    if key not in _POOLS:
        x, y = styles.styled_digits(size, seed=[cfg.seed, styles.TRAIN_STREAM])
        _POOLS.clear()  # one pool kept: at most STYLE_POOL[1] digits, 16 MB
        _POOLS[key] = torch.from_numpy(x).to(dev), torch.from_numpy(y).to(dev)
    return _POOLS[key]  # read only: mix_styles copies what it picks


def mix_styles(xb: torch.Tensor, yb: torch.Tensor, pool: tuple[torch.Tensor, torch.Tensor], share: float,
               gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """The batch with its first round(share * B) images replaced by random world-style digits (the batch
    is already in random order, so the first ones are as good as any)."""
    k = round(share * len(xb))
    if k == 0:
        return xb, yb
    pick = torch.randint(len(pool[0]), (k,), generator=gen, device=xb.device)
    return torch.cat([pool[0][pick], xb[k:]]), torch.cat([pool[1][pick], yb[k:]])


def train_step(model, opt, cfg: TrainConfig, xb: torch.Tensor, yb: torch.Tensor, lr: float,
               gen: torch.Generator, teacher: torch.nn.Module | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """One optimiser step on a uint8 batch (B, 28, 28); returns (loss, logits), both still on the device.
    A teacher sees the same augmented images as the student (a consistent teacher: Beyer et al. 2022)."""
    for g in opt.param_groups:
        g["lr"] = lr
    x = to_input(xb)
    if cfg.augment:
        x = augment(x, gen)
    try:
        x = _layout(x)
        with _autocast(xb.device):
            logits = model(x)
        loss = loss_fn(cfg, logits, yb)
        if teacher is not None:
            with torch.no_grad(), _autocast(xb.device):
                taught = teacher(x)
            loss = (1 - TEACHER_SHARE) * loss + TEACHER_SHARE * distil_loss(logits, taught)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    except torch.OutOfMemoryError:
        raise TrainingError(f"out of GPU memory at batch size {cfg.batch_size}: try a smaller batch "
                            f"(e.g. {max(1, cfg.batch_size // 4)}) or a smaller model") from None
    return loss.detach(), logits.detach()


def averaged(model: torch.nn.Module, decay: float) -> AveragedModel | None:
    """A moving average of `model`'s weights and batch-norm statistics, updated after each step with
    `decay` (the first update copies them), or None when `decay` is 0. Scored and saved in place of the
    last step's weights, it smooths away the noise of the last steps (Polyak and Juditsky 1992)."""
    if not decay:
        return None
    return AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(decay), use_buffers=True)


def timed_evaluate(meter: Meter, model, x, y, cfg: TrainConfig, batch: int) -> tuple[float, float]:
    """`evaluate`, with its seconds and images counted by the meter (scoring is not training time)."""
    t = time.perf_counter()
    out = evaluate(model, x, y, cfg, batch)
    meter.timed_scoring(len(x), time.perf_counter() - t)
    return out


@dataclass
class Scoreboard:
    """Validation and test scoring after each epoch, seed 004's test protocol, and early stopping."""
    best_val: float = -1.0
    best_state: dict | None = None     # the best epoch's weights, kept for early stopping on validation
    bad_epochs: int = 0
    prev_train_acc: float = -1.0
    test_acc: float | None = None
    test_loss: float | None = None

    def score(self, meter: Meter, model, d: Tensors, cfg: TrainConfig, batch: int, ev: dict) -> None:
        """Add val_acc/val_loss (when there is a validation set) and test_acc/test_loss to epoch event `ev`."""
        improved = True
        if len(d.x_val):
            ev["val_acc"], ev["val_loss"] = timed_evaluate(meter, model, d.x_val, d.y_val, cfg, batch)
            improved = ev["val_acc"] > self.best_val
            if improved:
                self.best_val, self.bad_epochs = ev["val_acc"], 0
                if cfg.early_stopping == "val":
                    self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            else:
                self.bad_epochs += 1
        if cfg.test_protocol == "every_epoch" or improved:  # seed 004: test only when validation improves
            self.test_acc, self.test_loss = timed_evaluate(meter, model, d.x_test, d.y_test, cfg, batch)
            ev["test_acc"], ev["test_loss"] = self.test_acc, self.test_loss

    def early_stop(self, cfg: TrainConfig, train_acc: float) -> str | None:
        """The reason to stop after this epoch, or None to go on."""
        if cfg.early_stopping == "val" and self.bad_epochs >= cfg.patience:
            return f"early stop: validation did not improve for {cfg.patience} epochs"
        if cfg.early_stopping == "train_drop" and train_acc < self.prev_train_acc:
            return "early stop: train accuracy dropped"
        self.prev_train_acc = train_acc
        return None


def train(cfg: TrainConfig, on_event: Callable[[Event], None] | None = None,
          should_stop: Callable[[], bool] | None = None, data: MNIST | None = None,
          drawings: Collection | None = None, baseline: torch.nn.Module | None = None,
          teacher: torch.nn.Module | None = None,
          on_step: Callable[[torch.nn.Module], None] | None = None) -> TrainResult:
    """Train `cfg` and return the model with its final metrics. Raises TrainingError on divergence/OOM.

    `data`: MNIST (the verified cache when None). `drawings`: the class's saved drawings; when
    `cfg.class_drawings` > 0 each is trained on that many times, but for a seeded share held out
    (train/heldout.py) and scored at the end, by the new model and by `baseline` (the model it replaces).
    `teacher`: the model `cfg.teacher` names, whose answers the new one learns to give as well as the labels.
    `on_step`: called with the model after each optimiser step (bench/cnn_recipes.py keeps averages with it)."""
    validate_train(cfg)
    dev = resolve_device(cfg.device)
    emit, should_stop = on_event or (lambda e: None), should_stop or (lambda: False)
    torch.manual_seed(cfg.seed)
    if dev.type == "cuda":
        torch.backends.cudnn.benchmark = True
    d = prepare_data(data or load_mnist(), dev, cfg.val_size, cfg.seed, cfg.subset)
    c = drawings if drawings is not None and cfg.class_drawings > 0 else None
    mine, held = heldout.split(len(c) if c is not None else 0, cfg.seed)
    if c is not None:  # the teacher's weight: each drawing repeated cfg.class_drawings times
        d.x_train, d.y_train = heldout.mix(d.x_train, d.y_train, c.images[mine], c.labels[mine], cfg.class_drawings)
    pool = style_pool(cfg, len(d.x_train), dev)  # None unless cfg.world_styles > 0
    model = build(cfg.model).to(dev).to(memory_format=torch.channels_last)
    if teacher is not None:
        teacher = teacher.to(dev).to(memory_format=torch.channels_last).eval().requires_grad_(False)
    opt = make_optimizer(cfg, model.parameters())
    average = averaged(model, cfg.average)  # None unless cfg.average > 0
    scored = model if average is None else average.module  # what is scored, kept and saved
    n, bs = len(d.x_train), cfg.batch_size
    steps_per_epoch = math.ceil(n / bs)
    natural = steps_per_epoch * cfg.epochs
    total_steps = min(natural, cfg.max_steps or natural)
    epochs = math.ceil(total_steps / steps_per_epoch)  # the epochs max_steps leaves
    eval_bs = 8192 if dev.type == "cuda" else 2000
    check_every = 1 if dev.type == "cpu" else 25  # a finite-loss check syncs the GPU
    gen = torch.Generator(device=dev).manual_seed(cfg.seed)  # augmentation
    shuffle = torch.Generator().manual_seed(cfg.seed)

    def to_score(epochs_scored: int) -> int:  # images still to score: every epoch to come, then the final test
        final = len(d.x_test) if cfg.early_stopping == "val" else 0
        return (epochs - epochs_scored) * (len(d.x_val) + len(d.x_test)) + final

    emit(StartEvent(kind="start", device=str(dev), device_name=device_name(dev), params=n_params(model),
                    n_train=n, n_val=len(d.x_val), n_test=len(d.x_test), n_held_out=len(held), epochs=cfg.epochs,
                    steps_per_epoch=steps_per_epoch, total_steps=total_steps, batch_size=bs))
    meter, board = Meter(total_steps, steps_per_epoch), Scoreboard()
    history: list[EpochEvent] = []
    step = seen = 0
    stopped, stop_reason = False, "finished"
    for epoch in range(epochs):
        if epoch and should_stop():  # asked while the last epoch was scored: no empty epoch after it
            stopped = True
            break
        t_epoch, perm = time.perf_counter(), torch.randperm(n, generator=shuffle).to(dev)
        epoch_hits = epoch_n = 0
        for i in range(0, n, bs):
            lr = get_lr(cfg, epoch, step / total_steps)
            idx = perm[i:i + bs]
            xb, yb = d.x_train[idx], d.y_train[idx]
            if pool is not None:  # a share of each batch written the way the world writes
                xb, yb = mix_styles(xb, yb, pool, cfg.world_styles, gen)
            loss, logits = train_step(model, opt, cfg, xb, yb, lr, gen, teacher)
            if average is not None:
                average.update_parameters(model)
            if on_step is not None:
                on_step(model)
            step, seen = step + 1, seen + len(idx)
            if step % check_every == 0 and not math.isfinite(value := float(loss)):
                raise TrainingError(f"training diverged: the loss became {value} at step {step} (epoch "
                                    f"{epoch + 1}, learning rate {lr:.3g}); try a learning rate 10× lower"
                                    f"{', or cross-entropy instead of MSE' if cfg.loss == 'mse' else ''}")
            meter.add(step, loss, (logits.argmax(1) == yb).sum(), len(idx))
            stopped = should_stop()
            if stopped or step >= total_steps or i + bs >= n or meter.due(step):
                loss_mean, hits, k = meter.take(step)
                epoch_hits, epoch_n = epoch_hits + hits, epoch_n + k
                emit(StepEvent(kind="step", epoch=epoch + 1, step=step, seen=seen, loss=loss_mean, acc=hits / k,
                               lr=lr, samples_per_s=seen / meter.train_s(), progress=step / total_steps,
                               eta_s=meter.eta_s(step, to_score(epoch)), time=time.time()))
                if step == 1 and to_score(0):  # after the first point is out: what scoring an image costs
                    timed_evaluate(meter, scored, d.x_test[:CALIBRATE], d.y_test[:CALIBRATE], cfg, eval_bs)
            if stopped or step >= total_steps:
                break
        train_acc = epoch_hits / max(epoch_n, 1)
        ev = EpochEvent(kind="epoch", epoch=epoch + 1, train_acc=train_acc, lr=lr, train_s=meter.train_s())
        board.score(meter, scored, d, cfg, eval_bs, ev)
        ev.update(seconds=time.perf_counter() - t_epoch, elapsed_s=meter.clock() - meter.t0,
                  eta_s=meter.eta_s(step, to_score(epoch + 1)), time=time.time())
        history.append(ev)
        emit(ev)
        if stopped:
            break
        if step >= total_steps:  # max_steps only when it cut the run short of its epochs
            stop_reason = "max_steps" if total_steps < natural else "finished"
            break
        if reason := board.early_stop(cfg, train_acc):
            stop_reason = reason
            break
    if stopped:
        stop_reason = "stopped"

    if board.best_state is not None:  # early stopping on validation keeps the best epoch's weights
        scored.load_state_dict(board.best_state)
        board.test_acc, board.test_loss = timed_evaluate(meter, scored, d.x_test, d.y_test, cfg, eval_bs)
    model = scored.eval().cpu().to(memory_format=torch.contiguous_format)
    before = after = None
    if len(held):  # the drawings it never saw: the new model, and the one it replaces
        hx, hy = torch.from_numpy(c.images[held].copy()), torch.from_numpy(c.labels[held].astype(np.int64))
        after = evaluate(model, hx, hy, cfg, eval_bs)[0]
        before = evaluate(baseline, hx, hy, cfg, eval_bs)[0] if baseline is not None else None
    seconds = meter.clock() - meter.t0
    metrics = Metrics(test_acc=board.test_acc, test_loss=board.test_loss,
                      val_acc=board.best_val if len(d.x_val) else None,
                      train_acc=history[-1]["train_acc"] if history else None, epochs_run=len(history),
                      steps=step, seconds=seconds, samples_per_s=seen / seconds if seconds else None, n_train=n,
                      device=str(dev), device_name=device_name(dev), stop_reason=stop_reason,
                      class_drawings_used=len(mine) if c is not None else 0, drawings_held_out=len(held),
                      drawings_acc_before=before, drawings_acc_after=after)
    emit(EndEvent(kind="end", **metrics))
    return TrainResult(model, metrics, history, stopped, str(dev),
                       c.ids[mine].tolist() if c is not None else [])

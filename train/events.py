"""The events of one training run: one TypedDict per kind, shared by the engine that emits them
(train/engine.py), the run folder that appends them to metrics.jsonl (train/run.py, jobs/folder.py) and
the live card and curves that draw them (ui/train/run_view.py, ui/train/curves.py). The table is in
docs/ARCHITECTURE.md ("Events").
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict


class StartEvent(TypedDict):
    kind: Literal["start"]
    device: str
    device_name: str
    params: int
    n_train: int              # MNIST images plus the class's drawings, repeated
    n_val: int
    n_test: int
    n_held_out: int           # the class's drawings kept out of training, scored before and after
    epochs: int
    steps_per_epoch: int
    total_steps: int
    batch_size: int


class StepEvent(TypedDict):
    kind: Literal["step"]
    epoch: int                # from 1
    step: int                 # optimiser steps so far
    seen: int                 # training images so far
    loss: float               # mean over the steps since the last step event
    acc: float
    lr: float
    samples_per_s: float      # training steps only, scoring excluded
    progress: float           # step / total_steps
    eta_s: float | None       # seconds left, scoring included; None while it cannot know yet
    time: float               # wall clock (Unix seconds), so a reader can count eta_s down between events


class EpochEvent(TypedDict):
    kind: Literal["epoch"]
    epoch: int
    train_acc: float
    lr: float
    train_s: float            # training seconds so far, scoring excluded
    val_acc: NotRequired[float]
    val_loss: NotRequired[float]
    test_acc: NotRequired[float]   # every epoch, or only when validation improved (test_protocol)
    test_loss: NotRequired[float]
    seconds: float            # this epoch, its scoring included
    elapsed_s: float          # since the run started
    eta_s: float | None
    time: float


class Metrics(TypedDict):
    """The final figures: the end event, status.json's `metrics` and model.json's `metrics`."""
    test_acc: float | None
    test_loss: float | None
    val_acc: float | None
    train_acc: float | None
    epochs_run: int
    steps: int
    seconds: float
    samples_per_s: float | None
    n_train: int
    device: str
    device_name: str
    stop_reason: str          # finished, max_steps, stopped, or "early stop: …"
    class_drawings_used: int  # distinct drawings trained on
    drawings_held_out: int    # distinct drawings kept out of training
    drawings_acc_before: float | None  # the shipped model of the same family on the held-out drawings
    drawings_acc_after: float | None   # this run's model on them


class EndEvent(Metrics):
    kind: Literal["end"]


Event = StartEvent | StepEvent | EpochEvent | EndEvent

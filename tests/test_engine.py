"""Smoke training on small subsets: the loss falls, protocols behave, failures get clear messages."""

import dataclasses

import numpy as np
import pytest
import torch

from train import augment as aug
from train.data import split
from train.engine import TrainingError, evaluate, get_lr, train


def test_smoke_training_loss_falls_and_events_flow(mnist, tiny_cfg):
    events = []
    r = train(tiny_cfg(epochs=2), on_event=events.append, data=mnist)
    steps = [e for e in events if e["kind"] == "step"]
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "start" and kinds[-1] == "end" and kinds.count("epoch") == 2
    assert steps[-1]["loss"] < steps[0]["loss"]
    assert r.metrics["test_acc"] > 0.85  # 3,000 images, 2 epochs: far above chance (0.1)
    assert {"epoch", "seen", "loss", "acc", "lr", "samples_per_s"} <= set(steps[0])


def test_cnn_smoke_with_augmentation_learns(mnist, tiny_cfg):
    cfg = tiny_cfg("cnn", epochs=1, subset=2000, batch_size=64)
    r = train(cfg, data=mnist)
    assert r.metrics["test_acc"] > 0.6


def test_same_seed_same_result(mnist, tiny_cfg):
    a = train(tiny_cfg(max_steps=20), data=mnist)
    b = train(tiny_cfg(max_steps=20), data=mnist)
    x = torch.rand(4, 1, 28, 28)
    assert torch.equal(a.model(x), b.model(x))


def test_seed004_protocol_tests_only_when_validation_improves(mnist, tiny_cfg):
    cfg = tiny_cfg("seed004-mlp", epochs=3, subset=1000, val_size=10_000)
    r = train(cfg, data=mnist)
    for ev in r.history:
        assert "val_acc" in ev
    tested = [ev for ev in r.history if "test_acc" in ev]
    best = max(ev["val_acc"] for ev in r.history)
    assert tested[-1]["val_acc"] == best  # the last tested epoch is the best validation epoch
    assert len(r.history[0]) and "test_acc" in r.history[0]


def test_divergence_stops_with_a_message(mnist, tiny_cfg):
    cfg = tiny_cfg("seed000-mlp", batch_size=32, lr=50.0, max_steps=200)
    with pytest.raises(TrainingError, match=r"diverged.*step \d+.*learning rate"):
        train(cfg, data=mnist)


def test_a_stop_request_ends_early_with_a_usable_model(mnist, tiny_cfg):
    calls = {"n": 0}

    def stop():
        calls["n"] += 1
        return calls["n"] >= 5

    r = train(tiny_cfg(epochs=3), should_stop=stop, data=mnist)
    assert r.stopped and r.metrics["steps"] == 5 and r.metrics["stop_reason"] == "stopped"
    assert r.metrics["test_acc"] is not None


def test_early_stopping_on_validation_keeps_the_best_weights(mnist, tiny_cfg):
    # Adamax at lr 0.2 on 300 images overshoots: validation peaks at epoch 3 and falls after it
    cfg = tiny_cfg(epochs=8, subset=300, val_size=2000, early_stopping="val", patience=2, lr=0.2)
    r = train(cfg, data=mnist)
    vals = [ev["val_acc"] for ev in r.history]
    # the situation this test is about: it stopped early, on an epoch worse than the best one
    assert r.metrics["stop_reason"].startswith("early stop") and vals[-1] < max(vals), vals
    # score the returned model itself on the same validation split: it must be the best epoch's weights
    val = split(len(mnist.x_train), cfg.val_size, cfg.seed).val
    x, y = torch.from_numpy(mnist.x_train[val].copy()), torch.from_numpy(mnist.y_train[val].copy()).long()
    acc, _ = evaluate(r.model, x, y, cfg, batch=2000)
    assert acc == max(vals) == r.metrics["val_acc"], (acc, vals)


def test_schedules():
    from model.presets import get
    cfg = dataclasses.replace(get("mlp").train, schedule="onecycle", lr=1.0)
    lrs = [get_lr(cfg, 0, p) for p in np.linspace(0, 1, 101)]
    assert max(lrs) == pytest.approx(1.0, abs=1e-3) and lrs[0] < 0.1 and lrs[-1] < 1e-3
    exp = dataclasses.replace(cfg, schedule="exp", gamma=0.9, lr=1e-3)
    assert get_lr(exp, 2, 0.5) == pytest.approx(1e-3 * 0.81)


def test_augmentation_keeps_shape_range_and_changes_images(mnist):
    x = torch.from_numpy(mnist.x_train[:64].copy()).float().div(255).unsqueeze(1)
    g = torch.Generator().manual_seed(0)
    y = aug.augment(x, g)
    assert y.shape == x.shape and y.min() >= 0 and y.max() <= 1
    assert (y - x).abs().mean() > 0.01
    # ink is kept: the digit is distorted, not erased
    assert (y.sum((1, 2, 3)) > 0.3 * x.sum((1, 2, 3))).all()  # thinning may halve the ink


def test_evaluate_counts_correctly(mnist, tiny_cfg):
    from model.nets import build
    cfg = tiny_cfg()
    model = build(cfg.model)
    x = torch.from_numpy(mnist.x_test[:100].copy())
    y = torch.from_numpy(mnist.y_test[:100].copy()).long()
    acc, loss = evaluate(model, x, y, cfg, batch=7)
    model.eval()
    with torch.no_grad():
        ref = (model(x.float().div(255).unsqueeze(1)).argmax(1) == y).float().mean().item()
    assert acc == pytest.approx(ref) and loss > 0


def test_a_stop_asked_while_an_epoch_is_scored_adds_no_empty_epoch(mnist, tiny_cfg):
    cfg = tiny_cfg(epochs=3)
    steps_per_epoch = -(-cfg.subset // cfg.batch_size)
    calls = {"n": 0}

    def stop():  # False for every step of epoch 1, then True: the request lands on the boundary
        calls["n"] += 1
        return calls["n"] > steps_per_epoch

    r = train(cfg, should_stop=stop, data=mnist)
    assert r.stopped and r.metrics["stop_reason"] == "stopped"
    assert [ev["epoch"] for ev in r.history] == [1] and r.metrics["steps"] == steps_per_epoch
    assert r.metrics["train_acc"] > 0.5  # not the 0.00% of an epoch with no counted steps

"""Smoke training on small subsets: the loss falls, protocols behave, failures get clear messages."""

import dataclasses

import numpy as np
import pytest
import torch

from train import augment as aug
from train import engine
from train.data import split
from train.engine import TrainingError, evaluate, get_lr, train
from train.meter import Meter


def test_smoke_training_loss_falls_and_events_flow(mnist, tiny_cfg):
    events = []
    r = train(tiny_cfg(epochs=2), on_event=events.append, data=mnist)
    steps = [e for e in events if e["kind"] == "step"]
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "start" and kinds[-1] == "end" and kinds.count("epoch") == 2
    assert steps[-1]["loss"] < steps[0]["loss"]
    assert r.metrics["test_acc"] > 0.85  # 3,000 images, 2 epochs: far above chance (0.1)
    assert {"epoch", "seen", "loss", "acc", "lr", "samples_per_s"} <= set(steps[0])


def test_cnn_smoke_with_augmentation_learns(mnist, tiny_cfg, monkeypatch):
    calls = []

    def watched(x, gen=None):  # the real augmentation, seen being called on every batch
        y = aug.augment(x, gen)
        calls.append(float((y - x).abs().mean()))
        return y

    monkeypatch.setattr(engine, "augment", watched)
    cfg = tiny_cfg("cnn", epochs=1, subset=2000, batch_size=64)
    assert cfg.augment
    r = train(cfg, data=mnist)
    assert len(calls) == r.metrics["steps"] == 32 and min(calls) > 0.01  # every batch, each one changed
    assert r.metrics["test_acc"] > 0.6
    calls.clear()
    train(dataclasses.replace(cfg, augment=False, max_steps=3), data=mnist)
    assert calls == []


def test_same_seed_same_result(mnist, tiny_cfg):
    a = train(tiny_cfg(max_steps=20), data=mnist)
    b = train(tiny_cfg(max_steps=20), data=mnist)
    x = torch.rand(4, 1, 28, 28)
    assert torch.equal(a.model(x), b.model(x))


def test_an_average_of_the_weights_is_what_is_scored_and_saved(mnist, tiny_cfg):
    # a constant rate: the first steps of a two-step run and of a one-step run are the same steps
    cfg = tiny_cfg("cnn", subset=256, batch_size=64, schedule="constant", world_styles=0.0)
    w1, w2 = (train(dataclasses.replace(cfg, max_steps=k), data=mnist).model.state_dict() for k in (1, 2))
    r = train(dataclasses.replace(cfg, max_steps=2, average=0.9), data=mnist)
    got = r.model.state_dict()
    assert got.keys() == w2.keys()
    floats = [k for k, v in got.items() if v.is_floating_point()]  # weights, and batch norm's statistics
    assert any("running_mean" in k for k in floats)
    for k in floats:  # the first update copies the weights, the second moves a tenth of the way to them
        torch.testing.assert_close(got[k], 0.9 * w1[k] + 0.1 * w2[k])
    assert not all(torch.equal(got[k], w2[k]) for k in floats)
    x, y = torch.from_numpy(mnist.x_test.copy()), torch.from_numpy(mnist.y_test.astype(np.int64))
    mine, last = (evaluate(m, x, y, cfg, 2000)[1] for m in (r.model, train(dataclasses.replace(cfg, max_steps=2),
                                                                             data=mnist).model))
    assert r.metrics["test_loss"] == pytest.approx(mine, rel=1e-4)  # the average's own figure
    assert mine != pytest.approx(last, rel=1e-3)


def test_seed004_protocol_tests_only_when_validation_improves(mnist, tiny_cfg):
    # after epoch 1 the learning rate falls to 1e-12 of itself: the weights, so validation, cannot improve
    cfg = tiny_cfg("seed004-mlp", epochs=3, subset=1000, val_size=10_000, schedule="exp", gamma=1e-12)
    assert cfg.test_protocol == "on_val_improve"
    r = train(cfg, data=mnist)
    first, *rest = r.history
    assert "test_acc" in first and len(rest) == 2
    for ev in rest:
        assert ev["val_acc"] <= first["val_acc"]  # the situation this test is about: no improvement
        assert "test_acc" not in ev and "test_loss" not in ev
    assert r.metrics["test_acc"] == first["test_acc"]  # the test score of the best validation epoch
    every = train(dataclasses.replace(cfg, test_protocol="every_epoch"), data=mnist)
    assert all("test_acc" in ev for ev in every.history)


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


@pytest.mark.parametrize("max_steps, reason", [(0, "finished"), (48, "finished"), (10_000, "finished"),
                                               (30, "max_steps")])
def test_stop_reason_says_max_steps_only_when_it_cut_the_run_short(mnist, tiny_cfg, max_steps, reason):
    cfg = tiny_cfg(epochs=2, max_steps=max_steps)  # 3,000 images at batch 128: 24 steps an epoch, 48 in all
    r = train(cfg, data=mnist)
    assert r.metrics["stop_reason"] == reason
    assert r.metrics["steps"] == (max_steps if reason == "max_steps" else 48)


def test_the_first_point_comes_after_one_step_and_a_short_epoch_is_a_line(mnist, tiny_cfg):
    events = []
    train(tiny_cfg(), on_event=events.append, data=mnist)
    start, steps = events[0], [e for e in events if e["kind"] == "step"]
    assert steps[0]["step"] == 1  # a point on the chart at once, not after EVENT_EVERY_S
    assert start["steps_per_epoch"] == 24 and len(steps) == 24  # a point per step: a line within the epoch


def test_the_time_left_is_estimating_then_counts_the_scoring_still_to_come(mnist, tiny_cfg):
    events = []
    train(tiny_cfg(epochs=2, val_size=5000), on_event=events.append, data=mnist)
    steps = [e for e in events if e["kind"] == "step"]
    assert steps[0]["eta_s"] is None  # one step says nothing about the speed: "estimating…"
    assert all(e["eta_s"] is not None for e in steps[1:])
    last = steps[-1]  # every step taken, but the last validation and test scoring are still ahead
    assert last["progress"] == 1 and last["eta_s"] > 0
    epoch_1 = next(e for e in events if e["kind"] == "epoch")
    assert epoch_1["eta_s"] > 0  # and after epoch 1's scoring: epoch 2 and its scoring


def test_the_meter_counts_steps_left_and_images_to_score_at_their_measured_rates():
    now = [0.0]
    meter = Meter(total_steps=100, steps_per_epoch=50, clock=lambda: now[0])
    one = torch.tensor(1.0)
    now[0] = 2.0  # the first step: warm-up (allocations, kernels), not a rate
    meter.add(1, one, torch.tensor(3), 4)
    assert meter.eta_s(1, 0) is None
    for step in range(2, 11):  # then 0.1 s a step
        now[0] += 0.1
        meter.add(step, one, torch.tensor(3), 4)
    assert meter.eta_s(10, 0) == pytest.approx(90 * 0.1)
    assert meter.eta_s(10, 1000) is None  # scoring to come, its cost not measured yet: still estimating
    meter.timed_scoring(1000, 0.5)
    now[0] += 0.5  # scoring's seconds are not training seconds
    assert meter.eta_s(10, 4000) == pytest.approx(90 * 0.1 + 4000 * 0.5 / 1000)
    assert meter.take(10) == (1.0, 30, 40)


def class_of(images, labels):
    from classroom.drawings import Collection
    n = len(labels)
    return Collection(np.arange(100, 100 + n, dtype=np.int64), np.asarray(labels, np.uint8), images,
                      np.zeros(n), np.zeros(n + 1, np.int64), np.zeros(0, np.uint8), np.full(n, ""), np.full(n, ""))


def test_the_class_drawings_are_data_a_share_held_out_and_scored_before_and_after(mnist, tiny_cfg, monkeypatch,
                                                                                  tmp_path):
    from classroom import drawings as classroom
    from model.nets import build
    monkeypatch.setenv("DIGITLAB_DRAWINGS", str(tmp_path))  # drawings saved there are not read by the engine
    classroom.add(np.zeros((28, 28)), 3, folder=tmp_path)
    cfg = tiny_cfg(subset=500, max_steps=3, class_drawings=10)
    assert train(cfg, data=mnist).metrics["n_train"] == 500

    c = class_of(mnist.x_test[:8], mnist.y_test[:8])  # 8 drawings: 2 held out, 6 trained on 10 times each
    baseline = build(cfg.model).eval()
    events = []
    r = train(cfg, data=mnist, drawings=c, baseline=baseline, on_event=events.append)
    m = r.metrics
    assert events[0]["n_train"] == 500 + 60 and events[0]["n_held_out"] == 2
    assert m["class_drawings_used"] == 6 and m["drawings_held_out"] == 2 and len(r.class_drawing_ids) == 6
    held = sorted(set(c.ids.tolist()) - set(r.class_drawing_ids))
    assert len(held) == 2
    x = torch.from_numpy(mnist.x_test[[i - 100 for i in held]].copy())
    y = torch.from_numpy(mnist.y_test[[i - 100 for i in held]].astype(np.int64))
    assert m["drawings_acc_after"] == evaluate(r.model, x, y, cfg, 100)[0]
    assert m["drawings_acc_before"] == evaluate(baseline, x, y, cfg, 100)[0]
    again = train(cfg, data=mnist, drawings=c, baseline=baseline)
    assert again.class_drawing_ids == r.class_drawing_ids  # the held-out share is seeded
    assert train(dataclasses.replace(cfg, class_drawings=0), data=mnist, drawings=c).metrics["n_train"] == 500


GPU_BOX = """
import sys
for name in ("PIL", "streamlit", "plotly", "psutil", "pandas"):  # a GPU machine has torch, numpy, safetensors
    sys.modules[name] = None  # import fails as for a missing package; find_spec says None
import dataclasses
from model.presets import get
from train.data import load_mnist
from train.engine import TrainingError, train
import bench.train_speed, bench.channels_last, bench.cnn_recipes, bench.sweep  # the GPU rows' scripts import
cfg = dataclasses.replace(get("cnn").train, subset=256, epochs=1, world_styles=0.0, device="cpu")
r = train(cfg, data=load_mnist(download=False))
try:
    train(dataclasses.replace(cfg, world_styles=0.15), data=load_mnist(download=False))
except TrainingError as e:
    print(e)
print("trained", r.metrics["steps"])
"""


def test_training_needs_only_torch_numpy_and_safetensors_as_a_gpu_machine_has():
    """The device machine has torch, numpy and safetensors only: the engine and the GPU benches import and a
    run without world styles trains there. World styles draw strokes with Pillow: without it, a run says so."""
    import subprocess
    import sys
    from pathlib import Path
    done = subprocess.run([sys.executable, "-c", GPU_BOX], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    said = done.stdout.strip().splitlines()
    assert said[-1] == "trained 2"  # 256 images, batches of 128
    assert said[-2] == "world-style digits need the package 'PIL' (pip install pillow), or train with world_styles 0"

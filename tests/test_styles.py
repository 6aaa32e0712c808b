"""The world-styles generator (train/styles.py), its test set (bench/world_styles.py) and the training hook
(TrainConfig.world_styles): each style draws its digit, a flagged 1 stays apart from a 7, and a run trains
on style digits only when asked."""

import dataclasses
import math

import numpy as np
import pytest
import torch

from bench import world_styles
from model.preprocess import preprocess
from model.presets import get, train_config_from_dict, train_config_to_dict, validate_train
from train import engine, styles


@pytest.mark.parametrize("name", list(styles.STYLES) + [f"plain {d}" for d in range(10)])
def test_each_style_draws_a_readable_digit_with_its_label(name):
    rng = np.random.default_rng(3)
    for _ in range(3):
        pre = preprocess(styles.canvas_ink(name, rng))
        assert pre.image is not None and pre.image.shape == (28, 28) and pre.image.max() > 0.9
    digit = styles.STYLES[name][0] if name in styles.STYLES else int(name[-1])
    assert styles.label_of(name) == digit


def _mean_input(name, n, seed):
    rng = np.random.default_rng(seed)
    return np.mean([preprocess(styles.canvas_ink(name, rng, 140)).image for _ in range(n)], 0)


@pytest.mark.parametrize("name", list(styles.STYLES))
def test_a_style_looks_unlike_the_plain_digit(name):
    """The mean input of a style is farther from the plain digit's than two plain samples are from each other."""
    plain = f"plain {styles.label_of(name)}"
    a, b = _mean_input(plain, 30, 1), _mean_input(plain, 30, 2)
    styled = _mean_input(name, 30, 3)
    assert np.abs(styled - a).mean() > 2 * np.abs(b - a).mean()


def test_a_flag_is_short_and_steep_and_a_sevens_bar_long_and_flat():
    rng = np.random.default_rng(0)
    for _ in range(200):
        (x0, y0), (x1, y1), _ = styles.STYLES["flagged 1"][1](rng)[0]
        reach, rise = x1 - x0, y0 - y1
        assert 0.1 <= reach <= 0.24 and 35 <= math.degrees(math.atan2(rise, reach)) <= 65
        for seven in ("crossed 7", "hooked 7"):
            top = np.array(styles.STYLES[seven][1](rng)[0])
            (bx0, by0), (bx1, by1) = top[-3], top[-2]  # the bar: the two points before the foot
            assert bx1 - bx0 >= 0.5 >= 2 * reach and abs(math.degrees(math.atan2(by1 - by0, bx1 - bx0))) <= 6


def test_styled_digits_are_seeded_inputs_with_their_labels():
    x, y = styles.styled_digits(28, seed=5, plain_share=0.0, size=140)
    assert x.dtype == np.uint8 and x.shape == (28, 28, 28) and (x.reshape(28, -1).max(1) > 200).all()
    assert y.tolist() == [d for d, _ in styles.STYLES.values()] * 4
    assert np.array_equal(styles.styled_digits(28, seed=5, plain_share=0.0, size=140)[0], x)
    assert not np.array_equal(styles.styled_digits(28, seed=6, plain_share=0.0, size=140)[0], x)


def test_the_world_styles_set_has_ten_classes_each_labelled_by_its_kind():
    images, labels, kinds = world_styles.world_styles(24, seed=1)
    assert sorted(set(labels.tolist())) == list(range(10)) and images[0].shape[:2] == (280, 280)
    assert all(lab == (int(k[-1]) if k.startswith("plain") else styles.label_of(k)) for lab, k in zip(labels, kinds))
    acc = world_styles.report(labels.copy(), labels, kinds)
    assert acc["overall"] == (1.0, 24) and acc["1s"] == (1.0, 4) and acc["7s"] == (1.0, 4)


@pytest.mark.parametrize("bad", [-0.1, 0.6, float("nan"), "0.2"])
def test_world_styles_is_a_validated_share(bad):
    cfg = dataclasses.replace(get("mlp").train, world_styles=bad)
    with pytest.raises(ValueError, match="world_styles"):
        validate_train(cfg)


def test_world_styles_round_trips_and_defaults_to_none():
    cfg = dataclasses.replace(get("cnn").train, world_styles=0.15)
    d = train_config_to_dict(cfg)
    assert d["world_styles"] == 0.15 and train_config_from_dict(d) == cfg
    del d["world_styles"]  # a model.json from before the field: trained without them
    assert train_config_from_dict(d).world_styles == 0.0


def _batches(monkeypatch, mnist, share):
    """The (images, labels) of each step of a three-step run on 256 MNIST images."""
    seen = []
    real_step = engine.train_step

    def spy(model, opt, cfg, xb, yb, *rest):
        seen.append((xb.clone(), yb.clone()))
        return real_step(model, opt, cfg, xb, yb, *rest)

    monkeypatch.setattr(engine, "train_step", spy)
    cfg = dataclasses.replace(get("seed001-mlp").train, subset=256, batch_size=64, max_steps=3, epochs=1, device="cpu",
                              world_styles=share)
    engine.train(cfg, data=mnist)
    return seen


def test_the_hook_replaces_a_share_of_each_batch_only_when_set(monkeypatch, mnist):
    monkeypatch.setattr(engine, "STYLE_POOL", (300, 300))  # a small pool: the test stays fast
    train_idx = engine.split(len(mnist.x_train), 0, 0).train[:256]
    mnist_rows = {mnist.x_train[i].tobytes() for i in train_idx}
    pool_x, pool_y = styles.styled_digits(300, seed=[0, styles.TRAIN_STREAM])
    pool = {x.tobytes(): int(y) for x, y in zip(pool_x, pool_y)}
    for xb, _ in _batches(monkeypatch, mnist, 0.0):
        assert all(x.numpy().tobytes() in mnist_rows for x in xb)  # only MNIST, as before the field
    for xb, yb in _batches(monkeypatch, mnist, 0.25):
        rows = [x.numpy().tobytes() for x in xb]
        assert len(xb) == 64 and all(r in pool for r in rows[:16]) and all(r in mnist_rows for r in rows[16:])
        assert [pool[r] for r in rows[:16]] == yb[:16].tolist()  # each style digit keeps its own label


def test_a_second_run_of_a_seed_reuses_its_pool_and_another_seed_draws_its_own(monkeypatch):
    """bench/cnn_recipes.py trains each seed under several recipes in one process: the pool, seconds of stroke
    drawing, is drawn once per seed and size, and is the very pool a fresh draw gives."""
    monkeypatch.setattr(engine, "STYLE_POOL", (200, 200))
    monkeypatch.setattr(engine, "_POOLS", {})
    drawn, real = [], styles.styled_digits
    monkeypatch.setattr(styles, "styled_digits", lambda n, seed: drawn.append(seed) or real(n, seed=seed))
    cfg = dataclasses.replace(get("cnn").train, world_styles=0.15)
    cpu = torch.device("cpu")
    first = engine.style_pool(cfg, 1000, cpu)
    again = engine.style_pool(dataclasses.replace(cfg, epochs=36, lr=1e-3), 1000, cpu)  # another recipe
    other = engine.style_pool(dataclasses.replace(cfg, seed=1), 1000, cpu)
    assert drawn == [[0, styles.TRAIN_STREAM], [1, styles.TRAIN_STREAM]]
    assert again[0] is first[0] and not torch.equal(other[0], first[0])
    assert torch.equal(first[0], torch.from_numpy(real(200, seed=[0, styles.TRAIN_STREAM])[0]))


def test_mix_styles_keeps_the_batch_when_the_share_rounds_to_nothing():
    xb, yb = torch.zeros(3, 28, 28, dtype=torch.uint8), torch.zeros(3, dtype=torch.long)
    pool = (torch.ones(5, 28, 28, dtype=torch.uint8), torch.ones(5, dtype=torch.long))
    out = engine.mix_styles(xb, yb, pool, 0.1, torch.Generator().manual_seed(0))
    assert out[0] is xb and out[1] is yb


def test_the_cli_sets_world_styles_and_leaves_it_off_by_default():
    from train.__main__ import config_from_args, parse_args
    assert config_from_args(parse_args(["--preset", "mlp", "--world-styles", "0.15"])).world_styles == 0.15
    assert config_from_args(parse_args(["--preset", "cnn"])).world_styles == 0.0

"""Architectures and presets: every preset builds, runs forward, and its config round-trips JSON."""

import dataclasses
import json

import pytest
import torch

from model import presets
from model.nets import CNNConfig, ConvBlock, MLPConfig, build, config_from_dict, config_to_dict, n_params


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_every_preset_builds_and_returns_logits(name):
    p = presets.get(name)
    model = build(p.train.model).eval()
    x = torch.rand(3, 1, 28, 28)
    out = model(x)
    assert out.shape == (3, 10)
    assert torch.isfinite(out).all()
    assert p.description and p.source and p.reported


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_train_config_round_trips_through_json(name):
    cfg = presets.get(name).train
    back = presets.train_config_from_dict(json.loads(json.dumps(presets.train_config_to_dict(cfg))))
    assert back == cfg


def test_parameter_counts_match_the_articles():
    # seed 001 prints its Keras summaries: 468,874 (MLP) and 301,274 (CNN) parameters
    assert n_params(build(presets.get("seed001-mlp").train.model)) == 468_874
    assert n_params(build(presets.get("seed001-cnn").train.model)) == 301_274


def test_seed004_takes_k_and_m():
    cfg = presets.get("seed004-mlp", k=2, m=247).train.model
    assert cfg.hidden == (247, 247) and cfg.activation == "sigmoid"
    with pytest.raises(ValueError, match="1 ≤ k ≤ 3"):
        presets.get("seed004-mlp", k=4)


def test_input_scaling_lives_in_the_module():
    torch.manual_seed(0)  # with a few hidden units all dead (ReLU), both nets would give just the bias: 32, seeded
    raw = build(MLPConfig(hidden=(32,), input="raw255"))
    unit = build(MLPConfig(hidden=(32,), input="unit"))
    unit.load_state_dict(raw.state_dict())
    x = torch.rand(2, 1, 28, 28)
    # the raw255 net sees 255× the pixels, so the two outputs differ despite equal weights
    assert not torch.allclose(raw(x), unit(x))


@pytest.mark.parametrize("bad, msg", [
    ({"kind": "rnn"}, "unknown model kind"),
    ({"kind": "mlp", "hidden": [10], "activation": "gelu"}, "activation"),
    ({"kind": "mlp", "hidden": [10], "colour": "red"}, "unknown mlp config keys"),
    ({"kind": "cnn", "blocks": [{"filters": 8, "padding": "valid", "kernel": 9}] * 3}, "shrinks"),
    ({"kind": "mlp", "hidden": [0]}, "widths"),
])
def test_bad_configs_are_refused_with_a_reason(bad, msg):
    with pytest.raises(ValueError, match=msg):
        config_from_dict(bad)


def test_cnn_config_round_trip_keeps_blocks():
    cfg = CNNConfig(blocks=(ConvBlock(8, kernel=5, convs=2, batch_norm=True), ConvBlock(16, pool_kind="avg")),
                    dense=(32,), activation="tanh")
    back = config_from_dict(json.loads(json.dumps(config_to_dict(cfg))))
    assert back == cfg and all(isinstance(b, ConvBlock) for b in back.blocks)
    # frozen, down to the blocks: a config shared by a run and a page cannot change under either
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.dense = (64,)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.blocks[0].filters = 4


@pytest.mark.parametrize("changes, msg", [
    ({"batch_size": 0}, "batch size"), ({"lr": 1e6}, "learning rate"), ({"epochs": 10_000}, "epochs"),
    ({"early_stopping": "val"}, "validation set"), ({"optimizer": "lbfgs"}, "optimizer"),
    ({"average": 0.5}, "average"), ({"average": 1.0}, "average"), ({"average": -0.999}, "average"),
])
def test_absurd_training_settings_are_refused(changes, msg):
    cfg = dataclasses.replace(presets.get("mlp").train, **changes)
    with pytest.raises(ValueError, match=msg):
        presets.validate_train(cfg)

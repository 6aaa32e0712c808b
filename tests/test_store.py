"""Checkpoints: round trip, and refusal of missing, truncated, tampered or incompatible ones."""

import io
import json
import os

import pytest
import torch

from model import store
from model.nets import MLPConfig, build
from train import catalog


@pytest.fixture
def ckpt(tmp_path):
    cfg = MLPConfig(hidden=(16,))
    model = build(cfg).eval()
    folder = store.save(tmp_path / "m", model, cfg, name="tiny", preset="custom", metrics={"test_acc": 0.5})
    return folder, model


def test_round_trip_gives_the_same_outputs(ckpt):
    folder, model = ckpt
    loaded, info = store.load(folder)
    x = torch.rand(4, 1, 28, 28)
    assert torch.equal(model(x), loaded(x))
    assert info["name"] == "tiny" and info["metrics"]["test_acc"] == 0.5
    assert sorted(p.name for p in folder.iterdir()) == ["model.json", "model.safetensors"]


def test_tampered_weights_are_refused(ckpt):
    folder, _ = ckpt
    data = bytearray((folder / "model.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (folder / "model.safetensors").write_bytes(bytes(data))
    with pytest.raises(store.CheckpointError, match="checksum"):
        store.load(folder)


def test_truncated_weights_are_refused(ckpt):
    folder, _ = ckpt
    data = (folder / "model.safetensors").read_bytes()
    (folder / "model.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(store.CheckpointError):
        store.load(folder)


def test_weights_that_do_not_fit_are_refused_even_with_a_matching_checksum(ckpt, tmp_path):
    folder, _ = ckpt
    info = json.loads((folder / "model.json").read_text())
    info["architecture"]["hidden"] = [32]
    (folder / "model.json").write_text(json.dumps(info))
    with pytest.raises(store.CheckpointError, match="do not fit"):
        store.load(folder)


@pytest.mark.parametrize("damage, msg", [
    (lambda f: (f / "model.json").unlink(), "no model.json"),
    (lambda f: (f / "model.safetensors").unlink(), "missing"),
    (lambda f: (f / "model.json").write_text("{not json"), "unreadable"),
    (lambda f: (f / "model.json").write_text('{"format_version": 99}'), "format version"),
])
def test_broken_checkpoints_get_a_clear_message(ckpt, damage, msg):
    folder, _ = ckpt
    damage(folder)
    with pytest.raises(store.CheckpointError, match=msg):
        store.load(folder)


class Trap:
    """Unpickling this makes the folder `path`: the mark that a pickle was loaded."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return os.mkdir, (self.path,)


def test_a_pickle_is_never_loaded(tmp_path):
    folder, mark = tmp_path / "evil", tmp_path / "unpickled"
    folder.mkdir()
    torch.save({"x": torch.zeros(1), "trap": Trap(mark)}, folder / "model.safetensors")  # a pickle, right name
    cfg = MLPConfig(hidden=(4,))
    info = {"format_version": store.FORMAT_VERSION, "architecture": {**cfg.__dict__, "hidden": [4]},
            "sha256": store._sha256(folder / "model.safetensors")}
    (folder / "model.json").write_text(json.dumps(info))
    with pytest.raises(store.CheckpointError):
        store.load(folder)
    assert not mark.exists()  # refused before anything in it ran
    # the trap works: a loader that unpickles (here torch.load, given the bytes) would have left the mark
    torch.load(io.BytesIO((folder / "model.safetensors").read_bytes()), weights_only=False)
    assert mark.is_dir()


def test_list_models_finds_shipped_and_finished_runs_only(tmp_path, ckpt):
    folder, model = ckpt
    runs = tmp_path / "runs"
    for name, state in (("a", "done"), ("b", "running"), ("c", "stopped")):
        store.save(runs / name, model, MLPConfig(hidden=(16,)), name=f"run-{name}")
        (runs / name / "status.json").write_text(json.dumps({"state": state}))
    names = {e.name for e in catalog.list_models(runs)}
    assert {"run-a", "run-c"} <= names and "run-b" not in names
    shipped = [e for e in catalog.list_models(runs) if e.source == "shipped"]
    assert {e.name for e in shipped} == {"mlp", "cnn"}
